"""Kafka record headers: those beside every event, and those a dead letter adds. Named and explained once.

The outbox writer and relay set the event headers, the dead-letter policy the dead-letter ones, and the
AsyncAPI document describes both from the tables below.
"""

EVENT_ID = "event-id"
EVENT_TYPE = "event-type"
CONTENT_TYPE = "content-type"
ORIGIN_TOPIC = "x-origin-topic"
ORIGIN_PARTITION = "x-origin-partition"
ORIGIN_OFFSET = "x-origin-offset"
ERROR = "x-error"
ATTEMPTS = "x-attempts"

EVENT_HEADERS: dict[str, str] = {
    EVENT_ID: "the payload's event_id, readable without parsing the payload",
    EVENT_TYPE: "the event's name, e.g. BookingRequested",
    CONTENT_TYPE: "application/json",
    "traceparent": "W3C trace context of the change that caused the event (absent when it was untraced)",
    "tracestate": "W3C trace state that came with the trace context, if any",
}
REQUIRED_EVENT_HEADERS = (EVENT_ID, EVENT_TYPE, CONTENT_TYPE)

DEAD_LETTER_HEADERS: dict[str, str] = {
    ORIGIN_TOPIC: "the topic the record was read from",
    ORIGIN_PARTITION: "its partition",
    ORIGIN_OFFSET: "its offset in that partition",
    ERROR: "the last error, as `Type: message`, at most 500 characters",
    ATTEMPTS: "how many times the consumer tried before giving up",
}

"""The AsyncAPI 3.0 document of every Kafka contract, generated from the topics table.

`make asyncapi` (`python -m tickethub.contracts.asyncapi > docs/asyncapi.yaml`) writes it; a test fails
when the committed copy differs from what the code would generate.

Why from the table and not from FastStream's own AsyncAPI generator: FastStream documents the
subscribers and publishers registered on one broker. Our events are published by the outbox relay with
a raw `broker.publish`, never through a FastStream publisher, so every publisher would have to be
declared a second time just for the document, and every service's broker (with its database, Redis and
handlers) built to read its subscribers. Even then FastStream emits one channel per subscriber or
publisher rather than one per topic, has no place for the record key or our headers, leaves out the
dead-letter twins, and renders payloads as pydantic *validates* them (a Decimal as number-or-string)
instead of as they are sent. The topics table already holds all of it, payload model, key, producer and
consumers, so generating from it is less plumbing and describes the wire exactly.
"""

import sys
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from tickethub.contracts.envelope import Event
from tickethub.contracts.headers import DEAD_LETTER_HEADERS, EVENT_HEADERS, REQUIRED_EVENT_HEADERS
from tickethub.contracts.topics import ALL_TOPICS, Topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMAS = "#/components/schemas/"
EVENT_HEADERS_SCHEMA = "EventHeaders"
DEAD_LETTER_HEADERS_SCHEMA = "DeadLetterHeaders"

DESCRIPTION = """\
The events TicketHub's services send each other over Kafka.

One topic per event type and version; a breaking change gets a new topic. Every event is published
through its producer's transactional outbox (written in the same PostgreSQL transaction as the change
it reports), so delivery is at least once: consumers de-duplicate on `event_id` and commit their offset
only after handling. The record key keeps all events of one booking (or one show) on one partition, in
order. A message a consumer still cannot handle after bounded retries is copied, unchanged, to the
topic's dead-letter twin (`<topic>.dlq`) with headers saying where it came from and why it failed.
"""

HEADER = (
    "# Generated from libs/contracts (the topics table and the event models) by `make asyncapi`.\n"
    "# Do not edit by hand: a test fails when this file differs from what the code generates.\n"
)


def document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        event = topic.event.__name__
        dead_letter = event + "DeadLetter"
        messages[event] = _message(topic, EVENT_HEADERS_SCHEMA)
        messages[dead_letter] = _dead_letter_message(topic)
        channels[topic.name] = _channel(topic, topic.name, event, _summary(topic.event))
        channels[topic.dead_letter] = _channel(
            topic, topic.dead_letter, dead_letter, f"What the consumers of {topic.name} gave up on."
        )
        operations[f"{topic.producer}.sends.{event}"] = _operation(
            "send",
            topic.producer,
            topic.name,
            event,
            f"{topic.producer} publishes {event} through its outbox.",
        )
        for consumer in topic.consumers:
            operations[f"{consumer}.receives.{event}"] = _operation(
                "receive", consumer, topic.name, event, f"{consumer} consumes {event}.", group=consumer
            )
            operations[f"{consumer}.dead-letters.{event}"] = _operation(
                "send",
                consumer,
                topic.dead_letter,
                dead_letter,
                f"{consumer} dead-letters a {event} it could not handle after bounded retries.",
            )
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "TicketHub events", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                EVENT_HEADERS_SCHEMA: _header_schema(EVENT_HEADERS, REQUIRED_EVENT_HEADERS),
                DEAD_LETTER_HEADERS_SCHEMA: _header_schema(
                    {**EVENT_HEADERS, **DEAD_LETTER_HEADERS}, tuple(DEAD_LETTER_HEADERS)
                ),
                **_payload_schemas(),
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as a literal block, so the prose reads as written."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _text)


def render() -> str:
    return HEADER + yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _summary(model: type[Event]) -> str:
    return " ".join((model.__doc__ or "").split())


def _channel(topic: Topic, address: str, message: str, description: str) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": {message: {"$ref": f"#/components/messages/{message}"}},
        "bindings": {
            "kafka": {
                "topic": address,
                "partitions": topic.partitions,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(
    action: str, service: str, channel: str, message: str, summary: str, *, group: str | None = None
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{message}"}],
        "summary": summary,
        "tags": [{"name": service}],
    }
    if group is not None:
        operation["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [group]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
    return operation


def _message(topic: Topic, headers: str) -> dict[str, Any]:
    event = topic.event.__name__
    return {
        "name": event,
        "title": event,
        "summary": _summary(topic.event),
        "contentType": "application/json",
        "headers": {"$ref": SCHEMAS + headers},
        "payload": {"$ref": SCHEMAS + event},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"the {topic.key}"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message(topic: Topic) -> dict[str, Any]:
    message = _message(topic, DEAD_LETTER_HEADERS_SCHEMA)
    event = topic.event.__name__
    message["name"] = message["title"] = event + "DeadLetter"
    message["summary"] = f"A {event} record a consumer gave up on."
    message["description"] = (
        f"Copied unchanged from {topic.name}: key, headers and value as they were (the value may be the "
        "very thing that could not be read), plus headers saying where it came from and why it failed."
    )
    return message


def _header_schema(described: dict[str, str], required: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string", "description": text} for name, text in described.items()},
        "required": list(required),
    }


def _payload_schemas() -> dict[str, Any]:
    """Each event as it is sent (pydantic's serialization schema), nested models as schemas of their own."""
    events = dict.fromkeys(topic.event for topic in ALL_TOPICS)
    _, schemas = models_json_schema(
        [(event, "serialization") for event in events], ref_template=SCHEMAS + "{model}"
    )
    return dict(sorted(schemas.get("$defs", {}).items()))


if __name__ == "__main__":
    sys.stdout.write(render())

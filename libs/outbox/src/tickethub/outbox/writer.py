"""Adds an event to the outbox; call it inside the transaction that makes the change."""

from tickethub.contracts import Event, Topic
from tickethub.outbox.table import OutboxMessage
from tickethub.telemetry import current_trace_carrier


async def add_to_outbox(topic: Topic, key: str, *events: Event) -> None:
    if not events:
        return
    trace = current_trace_carrier()
    await OutboxMessage.insert(
        *(
            OutboxMessage(
                topic=topic.name,
                message_key=key,
                payload=event.model_dump_json(),
                headers={**trace, "event-id": str(event.event_id), "event-type": type(event).__name__},
                created_at=event.occurred_at,
            )
            for event in events
        )
    )

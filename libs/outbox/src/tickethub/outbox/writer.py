"""Adds an event to the outbox; call it inside the transaction that makes the change."""

import json
from datetime import datetime

from tickethub.contracts import Event, Topic
from tickethub.contracts.headers import EVENT_ID, EVENT_TYPE
from tickethub.outbox.table import OutboxMessage
from tickethub.telemetry import current_trace_carrier

# For writers that insert the outbox row in their own statement (one round trip on a hot path).
OUTBOX_COLUMNS = "topic, message_key, payload, headers, created_at"
OutboxValues = tuple[str, str, str, str, datetime]


def outbox_values(topic: Topic, key: str, event: Event) -> OutboxValues:
    """The values of OUTBOX_COLUMNS for one event (headers as JSON text: cast it to jsonb)."""
    headers = {**current_trace_carrier(), EVENT_ID: str(event.event_id), EVENT_TYPE: type(event).__name__}
    return topic.name, key, event.model_dump_json(), json.dumps(headers), event.occurred_at


async def add_to_outbox(topic: Topic, key: str, *events: Event) -> None:
    if not events:
        return
    rows = [outbox_values(topic, key, event) for event in events]
    await OutboxMessage.insert(
        *(
            OutboxMessage(
                topic=name,
                message_key=message_key,
                payload=payload,
                headers=json.loads(headers),
                created_at=created_at,
            )
            for name, message_key, payload, headers, created_at in rows
        )
    )

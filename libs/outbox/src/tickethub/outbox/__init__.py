"""Transactional outbox: an event is stored in the same transaction as the change it announces,
then a relay publishes it to Kafka (at least once) with the trace context it was written under."""

from tickethub.outbox.relay import OutboxRelay, relay_lifespan
from tickethub.outbox.table import OutboxMessage
from tickethub.outbox.writer import OUTBOX_COLUMNS, OutboxValues, add_to_outbox, outbox_values

__all__ = [
    "OUTBOX_COLUMNS",
    "OutboxMessage",
    "OutboxRelay",
    "OutboxValues",
    "add_to_outbox",
    "outbox_values",
    "relay_lifespan",
]

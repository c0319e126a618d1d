"""Kafka subscriptions of payment: each turns one event into one use case."""

from faststream.kafka import KafkaBroker

from payment.service import charging, refunding
from payment.service.context import PaymentContext
from tickethub.contracts import (
    BOOKING_REQUESTED,
    REFUND_REQUESTED,
    BookingRequested,
    RefundRequested,
    consumed_by,
)
from tickethub.messaging import subscribe

GROUP = "payment"
CONSUMED_TOPICS = consumed_by(GROUP)


def register_handlers(broker: KafkaBroker, context: PaymentContext) -> None:
    @subscribe(broker, BOOKING_REQUESTED, group=GROUP)
    async def on_booking_requested(event: BookingRequested) -> None:
        await charging.charge_booking(context, event)

    @subscribe(broker, REFUND_REQUESTED, group=GROUP)
    async def on_refund_requested(event: RefundRequested) -> None:
        await refunding.refund_booking(context, event)

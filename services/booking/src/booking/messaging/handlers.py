"""Kafka subscriptions of booking: each turns one event into one use case, then applies its hold change."""

from faststream.kafka import KafkaBroker

from booking.service import cancelling, paying, shows
from booking.service.context import BookingContext
from tickethub.contracts import (
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    SHOW_CANCELLED,
    SHOW_PUBLISHED,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
    ShowCancelled,
    ShowPublished,
    consumed_by,
)
from tickethub.messaging import subscribe

GROUP = "booking"
CONSUMED = consumed_by(GROUP)


def register_handlers(broker: KafkaBroker, context: BookingContext) -> None:
    @subscribe(broker, SHOW_PUBLISHED, group=GROUP)
    async def on_show_published(event: ShowPublished) -> None:
        await shows.record_published_show(context, event)

    @subscribe(broker, SHOW_CANCELLED, group=GROUP)
    async def on_show_cancelled(event: ShowCancelled) -> None:
        await cancelling.cancel_show_bookings(context, event)

    @subscribe(broker, PAYMENT_SUCCEEDED, group=GROUP)
    async def on_payment_succeeded(event: PaymentSucceeded) -> None:
        if change := await paying.confirm_paid_booking(context, event):
            await change.apply(context.holds)

    @subscribe(broker, PAYMENT_FAILED, group=GROUP)
    async def on_payment_failed(event: PaymentFailed) -> None:
        if change := await paying.cancel_declined_booking(context, event):
            await change.apply(context.holds)

    @subscribe(broker, PAYMENT_REFUNDED, group=GROUP)
    async def on_payment_refunded(event: PaymentRefunded) -> None:
        await paying.record_refund(context, event)

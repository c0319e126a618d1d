"""Kafka subscriptions of notification: each booking outcome becomes one call of the notify use case."""

from faststream.kafka import KafkaBroker

from notification.service import notifying
from notification.service.context import NotificationContext
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    consumed_by,
)
from tickethub.messaging import subscribe

GROUP = "notification"
CONSUMED_TOPICS = consumed_by(GROUP)


def register_handlers(broker: KafkaBroker, context: NotificationContext) -> None:
    @subscribe(broker, BOOKING_CONFIRMED, group=GROUP)
    async def on_confirmed(event: BookingConfirmed) -> None:
        await notifying.notify(context, event)

    @subscribe(broker, BOOKING_CANCELLED, group=GROUP)
    async def on_cancelled(event: BookingCancelled) -> None:
        await notifying.notify(context, event)

    @subscribe(broker, BOOKING_EXPIRED, group=GROUP)
    async def on_expired(event: BookingExpired) -> None:
        await notifying.notify(context, event)

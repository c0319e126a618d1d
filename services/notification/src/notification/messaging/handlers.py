"""Kafka handlers of notification: one e-mail per booking outcome, however often Kafka delivers it.

The e-mail is sent INSIDE the transaction that records it (inbox row + notifications row), before the
commit: a failed send rolls both back and the message is retried, so no outcome goes unannounced.
The price is a small duplicate window: if the commit fails after the server accepted the e-mail, the
redelivery sends it again. That copy carries the same Message-ID (derived from the event id), so mail
clients and tests can recognise it; a lost e-mail could not be recognised at all.
"""

import logging
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from piccolo.engine.postgres import PostgresEngine

from notification.adapters.mailer import Mailer
from notification.domain.emails import compose, notice_kind, render_email
from notification.store import repository
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingOutcome,
    Topic,
    consumed_by,
)
from tickethub.inbox import handle_once
from tickethub.messaging import subscribe

GROUP = "notification"
CONSUMED_TOPICS = consumed_by(GROUP)

_log = logging.getLogger("notification.messaging")


def register_handlers(broker: KafkaBroker, *, engine: PostgresEngine, mailer: Mailer, sender: str) -> None:
    @subscribe(broker, BOOKING_CONFIRMED, group=GROUP)
    async def on_confirmed(event: BookingConfirmed) -> None:
        await notify(event, BOOKING_CONFIRMED, engine=engine, mailer=mailer, sender=sender)

    @subscribe(broker, BOOKING_CANCELLED, group=GROUP)
    async def on_cancelled(event: BookingCancelled) -> None:
        await notify(event, BOOKING_CANCELLED, engine=engine, mailer=mailer, sender=sender)

    @subscribe(broker, BOOKING_EXPIRED, group=GROUP)
    async def on_expired(event: BookingExpired) -> None:
        await notify(event, BOOKING_EXPIRED, engine=engine, mailer=mailer, sender=sender)


async def notify(
    event: BookingOutcome, topic: Topic, *, engine: PostgresEngine, mailer: Mailer, sender: str
) -> None:
    async def send_once(_: BookingOutcome) -> None:
        if not event.user_email:
            _log.warning("booking %s has no e-mail address; %s not sent", event.booking_id, topic.name)
            return
        now = datetime.now(UTC)
        kind = notice_kind(event)
        first = await repository.record_notification(
            event_id=event.event_id,
            booking_id=event.booking_id,
            kind=kind.value,
            recipient=event.user_email,
            sent_at=now,
        )
        if not first:
            return  # this event's e-mail is already recorded as sent
        await mailer.send(
            compose(
                render_email(event),
                sender=sender,
                recipient=event.user_email,
                event_id=event.event_id,
                date=now,
            )
        )
        _log.info("sent %s e-mail for booking %s", kind, event.booking_id)

    await handle_once(engine, f"{GROUP}:{topic.name}")(send_once)(event)

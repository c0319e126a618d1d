"""Notifying the buyer: one e-mail per booking outcome, however often Kafka delivers it.

The e-mail is sent INSIDE the transaction that records it (inbox row + notifications row), before the
commit: a failed send rolls both back and the message is retried, so no outcome goes unannounced.
The price is a small duplicate window: if the commit fails after the server accepted the e-mail, the
redelivery sends it again. That copy carries the same Message-ID (derived from the event id), so mail
clients and tests can recognise it; a lost e-mail could not be recognised at all.
"""

import logging

from notification.domain.emails import compose, notice_kind, render_email
from notification.service.context import NotificationContext
from tickethub.contracts import BookingCancelled, BookingConfirmed, BookingExpired, BookingOutcome
from tickethub.inbox import first_delivery

_log = logging.getLogger("notification.messaging")

# Inbox consumers: one per outcome topic ("<consumer group>:<topic>"), stored with every processed
# message id, so a name never changes.
_CONSUMERS: dict[type[BookingOutcome], str] = {
    BookingConfirmed: "notification:booking.confirmed.v1",
    BookingCancelled: "notification:booking.cancelled.v1",
    BookingExpired: "notification:booking.expired.v1",
}


async def notify(context: NotificationContext, event: BookingOutcome) -> None:
    """E-mails the buyer how their booking ended, unless this event's e-mail was sent already."""
    async with context.uow.transaction():
        if not await first_delivery(_CONSUMERS[type(event)], event.event_id):
            return
        kind = notice_kind(event)
        if not event.user_email:
            _log.warning("booking %s has no e-mail address; %s e-mail not sent", event.booking_id, kind)
            return
        now = context.clock()
        first = await context.notifications.record(
            event_id=event.event_id,
            booking_id=event.booking_id,
            kind=kind,
            recipient=event.user_email,
            sent_at=now,
        )
        if not first:
            return  # this event's e-mail is already recorded as sent
        await context.mailer.send(
            compose(
                render_email(event),
                sender=context.settings.mail_from,
                recipient=event.user_email,
                event_id=event.event_id,
                date=now,
            )
        )
        _log.info("sent %s e-mail for booking %s", kind, event.booking_id)

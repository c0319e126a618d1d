"""The saga's answer to payment: confirm a paid booking, cancel a declined one, record a refund.

Each step runs in one transaction with its inbox record (a redelivered message changes nothing) and its
outbox events; the returned HoldChange is applied to Redis by the caller after the commit.
"""

import logging

from booking.domain.lifecycle import CANCEL_PENDING, CONFIRM, EXPIRE, REFUND, BookingStatus
from booking.domain.model import BookingRecord
from booking.service.context import BookingContext
from booking.service.hold_changes import SOLD_MARKER_KEPT, HoldChange
from booking.service.outcomes import (
    CANCELLED_WITH_SHOW,
    LATE_PAYMENT,
    PAID_AFTER_CANCEL,
    announce_cancelled,
    announce_expired,
    outcome,
    request_refund,
)
from tickethub.contracts import (
    BOOKING_CONFIRMED,
    BookingConfirmed,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
)
from tickethub.inbox import first_delivery
from tickethub.outbox import add_to_outbox

_log = logging.getLogger("booking.saga")

# Inbox consumers: one name per message kind, stored with every processed message id.
_PAYMENT_SUCCEEDED = "booking.payment-succeeded"
_PAYMENT_FAILED = "booking.payment-failed"
_PAYMENT_REFUNDED = "booking.payment-refunded"


async def confirm_paid_booking(context: BookingContext, event: PaymentSucceeded) -> HoldChange | None:
    """CONFIRMED with its seats sold; or, when the money came for a booking that can no longer be
    honoured (hold run out, cancelled, its show cancelled), ended and refunded (compensation)."""
    async with context.uow.transaction():
        if not await first_delivery(_PAYMENT_SUCCEEDED, event.event_id):
            return None
        booking_id = event.booking_id
        confirmed = await context.bookings.move(CONFIRM, booking_id)
        if confirmed is not None:
            announcement = await outcome(context, BookingConfirmed, confirmed.record)
            await add_to_outbox(BOOKING_CONFIRMED, booking_id, announcement)
            return HoldChange(confirmed.record, sold_until=announcement.starts_at + SOLD_MARKER_KEPT)
        current = await context.bookings.get(booking_id)
        if current is None:
            raise LookupError(f"payment for unknown booking {booking_id}")  # poison: dead-lettered
        if current.status is BookingStatus.CONFIRMED:
            return None  # the same result under another event id
        change, refund_reason = await _end_unconfirmable(context, current)
        await request_refund(booking_id, refund_reason)
        return change


async def _end_unconfirmable(
    context: BookingContext, current: BookingRecord
) -> tuple[HoldChange | None, str]:
    """Ends a paid booking the confirm guard refused, if it is still PENDING; returns its hold change
    and why its payment is refunded."""
    if current.status is BookingStatus.EXPIRED:
        return None, LATE_PAYMENT
    if current.status is not BookingStatus.PENDING:
        return None, PAID_AFTER_CANCEL
    if not await context.shows.is_cancelled(current.show_id):
        return await _expire(context, current.id), LATE_PAYMENT
    # Booked just as its show was cancelled: cancelled with the show, not expired.
    cancelled = await context.bookings.move(CANCEL_PENDING, current.id)
    if cancelled is None:
        return None, CANCELLED_WITH_SHOW
    await announce_cancelled(context, cancelled.record, CANCELLED_WITH_SHOW, refund_due=True)
    return HoldChange(cancelled.record), CANCELLED_WITH_SHOW


async def _expire(context: BookingContext, booking_id: str) -> HoldChange | None:
    """PENDING -> EXPIRED once its hold has run out, announced; inside the caller's transaction."""
    expired = await context.bookings.move(EXPIRE, booking_id)
    if expired is None:
        return None
    await announce_expired(context, expired.record)
    return HoldChange(expired.record)


async def cancel_declined_booking(context: BookingContext, event: PaymentFailed) -> HoldChange | None:
    async with context.uow.transaction():
        if not await first_delivery(_PAYMENT_FAILED, event.event_id):
            return None
        cancelled = await context.bookings.move(CANCEL_PENDING, event.booking_id)
        if cancelled is None:
            return None  # already decided (expired first)
        reason = f"payment declined: {event.reason}"
        await announce_cancelled(context, cancelled.record, reason, refund_due=False)
        return HoldChange(cancelled.record)


async def record_refund(context: BookingContext, event: PaymentRefunded) -> None:
    async with context.uow.transaction():
        if not await first_delivery(_PAYMENT_REFUNDED, event.event_id):
            return
        if await context.bookings.move(REFUND, event.booking_id) is None:
            _log.info(
                "refund for booking %s changes nothing (already refunded or not ended)", event.booking_id
            )

"""The events that tell a buyer how their booking ended, written to the outbox in the use case's
transaction (notification e-mails each one)."""

from typing import Any, TypeVar

from booking.domain.model import BookingRecord
from booking.service.context import BookingContext
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_EXPIRED,
    REFUND_REQUESTED,
    BookingCancelled,
    BookingExpired,
    BookingOutcome,
    RefundRequested,
)
from tickethub.outbox import add_to_outbox

OutcomeT = TypeVar("OutcomeT", bound=BookingOutcome)

# Why a booking ended or its payment is given back, in the buyer's e-mail.
LATE_PAYMENT = "payment arrived after the seat hold had expired"
PAID_AFTER_CANCEL = "payment arrived after the booking was cancelled"
CANCELLED_BY_BUYER = "cancelled at your request"
CANCELLED_WITH_SHOW = "the show was cancelled"


def show_cancelled_reason(admin_reason: str | None) -> str:
    return f"{CANCELLED_WITH_SHOW}: {admin_reason}" if admin_reason else CANCELLED_WITH_SHOW


async def outcome(
    context: BookingContext, kind: type[OutcomeT], record: BookingRecord, **extra: Any
) -> OutcomeT:
    show = await context.shows.load(record.show_id)
    return kind(
        booking_id=record.id,
        user_id=record.user_id,
        user_email=record.user_email,
        user_name=record.user_name,
        show_id=record.show_id,
        movie_title=show.movie_title if show else "",
        starts_at=show.starts_at if show else record.hold_expires_at,
        seats=list(record.seats),
        amount=record.amount,
        currency=record.currency,
        **extra,
    )


async def announce_cancelled(
    context: BookingContext, record: BookingRecord, reason: str, *, refund_due: bool
) -> None:
    event = await outcome(context, BookingCancelled, record, reason=reason, refund_due=refund_due)
    await add_to_outbox(BOOKING_CANCELLED, record.id, event)


async def request_refund(booking_id: str, reason: str) -> None:
    await add_to_outbox(REFUND_REQUESTED, booking_id, RefundRequested(booking_id=booking_id, reason=reason))


async def announce_expired(context: BookingContext, record: BookingRecord) -> None:
    await add_to_outbox(BOOKING_EXPIRED, record.id, await outcome(context, BookingExpired, record))

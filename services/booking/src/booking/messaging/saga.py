"""The saga's steps after the booking is requested: confirm, cancel, expire, compensate.

Each step runs in one transaction with its inbox record and its outbox events; Redis holds are
changed only after that transaction commits (PostgreSQL is the truth, Redis follows it).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from booking.domain.model import BookingRecord, BookingStatus
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    REFUND_REQUESTED,
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingOutcome,
    RefundRequested,
)
from tickethub.outbox import add_to_outbox

_log = logging.getLogger("booking.saga")
OutcomeT = TypeVar("OutcomeT", bound=BookingOutcome)
LATE_PAYMENT = "payment arrived after the seat hold had expired"


SOLD_MARKER_KEPT = timedelta(days=1)  # after the show starts; PostgreSQL stays the record


@dataclass(frozen=True, slots=True)
class HoldChange:
    """What to do with a booking's Redis holds once its transaction has committed."""

    record: BookingRecord
    sold_until: datetime | None = None  # None: release the holds

    async def apply(self, holds: SeatHolds) -> None:
        record = self.record
        if self.sold_until is not None:
            await holds.mark_sold(record.show_id, record.seats, record.id, until=self.sold_until)
        else:
            await holds.release(record.show_id, record.seats, record.id)


class BookingSaga:
    def __init__(self, store: BookingStore) -> None:
        self.store = store

    async def _outcome(self, kind: type[OutcomeT], record: BookingRecord, **extra: Any) -> OutcomeT:
        show = await self.store.load_show(record.show_id)
        return kind(
            booking_id=record.id,
            user_id=record.user_id,
            user_email=record.user_email,
            show_id=record.show_id,
            movie_title=show.movie_title if show else "",
            starts_at=show.starts_at if show else record.hold_expires_at,
            seats=list(record.seats),
            amount=record.amount,
            currency=record.currency,
            **extra,
        )

    async def payment_succeeded(self, booking_id: str) -> HoldChange | None:
        confirmed = await self.store.confirm(booking_id)
        if confirmed is not None:
            event = await self._outcome(BookingConfirmed, confirmed)
            await add_to_outbox(BOOKING_CONFIRMED, booking_id, event)
            return HoldChange(confirmed, sold_until=event.starts_at + SOLD_MARKER_KEPT)
        current = await self.store.get(booking_id)
        if current is None:
            raise LookupError(f"payment for unknown booking {booking_id}")  # poison: dead-lettered
        if current.status is BookingStatus.CONFIRMED:
            return None  # the same result delivered again
        # The money arrived for a booking we can no longer honour: give it back (compensation).
        change = await self.expire(booking_id) if current.status is BookingStatus.PENDING else None
        await add_to_outbox(
            REFUND_REQUESTED, booking_id, RefundRequested(booking_id=booking_id, reason=LATE_PAYMENT)
        )
        return change

    async def payment_failed(self, booking_id: str, reason: str) -> HoldChange | None:
        cancelled = await self.store.end_pending(booking_id, BookingStatus.CANCELLED)
        if cancelled is None:
            return None  # already decided (duplicate, or expired first)
        event = await self._outcome(BookingCancelled, cancelled, reason=f"payment declined: {reason}")
        await add_to_outbox(BOOKING_CANCELLED, booking_id, event)
        return HoldChange(cancelled)

    async def expire(self, booking_id: str) -> HoldChange | None:
        expired = await self.store.end_pending(booking_id, BookingStatus.EXPIRED)
        if expired is None:
            return None
        await add_to_outbox(BOOKING_EXPIRED, booking_id, await self._outcome(BookingExpired, expired))
        return HoldChange(expired)

    async def payment_refunded(self, booking_id: str) -> None:
        if await self.store.mark_refunded(booking_id) is None:
            _log.info("refund for booking %s changes nothing (already refunded or not ended)", booking_id)

    async def sweep(self, *, show_id: str | None = None, limit: int = 200) -> list[HoldChange]:
        """Expires PENDING bookings whose hold has run out; the caller releases their holds."""
        async with self.store.engine.transaction():
            changes = [
                await self.expire(booking_id)
                for booking_id in await self.store.overdue(show_id=show_id, limit=limit)
            ]
        return [change for change in changes if change is not None]

"""The saga's steps after the booking is requested: confirm, cancel, expire, compensate; and the
cancellations asked for by the buyer or by the show's cancellation.

Each step runs in one transaction with its inbox record and its outbox events; Redis holds are
changed only after that transaction commits (PostgreSQL is the truth, Redis follows it).
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import tickethub.redis
from booking.domain.model import BookingRecord, BookingStatus, Cancellation
from booking.store.bookings import BookingStore
from booking.store.holds import Hold, SeatHolds
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
PAID_AFTER_CANCEL = "payment arrived after the booking was cancelled"
CANCELLED_BY_BUYER = "cancelled at your request"
CANCELLED_WITH_SHOW = "the show was cancelled"
SHOW_BATCH = 200  # bookings cancelled per transaction when a show is cancelled


def show_cancelled_reason(admin_reason: str | None) -> str:
    return f"{CANCELLED_WITH_SHOW}: {admin_reason}" if admin_reason else CANCELLED_WITH_SHOW


HOLD_CHANGE_ATTEMPTS = 7  # 0.05 s doubling: about 3 s in all
SOLD_MARKER_KEPT = timedelta(days=1)  # after the show starts; PostgreSQL stays the record


@dataclass(frozen=True, slots=True)
class HoldChange:
    """What to do with a booking's Redis holds once its transaction has committed."""

    record: BookingRecord
    sold_until: datetime | None = None  # None: release the holds
    was_sold: bool = False  # a confirmed booking was cancelled: its seats are marked sold, not held

    async def apply(self, holds: SeatHolds) -> None:
        """Retried through a short Redis outage: the transaction has committed, so a redelivery would
        not come back here. If Redis stays away, the sweeper's reconciliation releases the ended
        booking's keys again once Redis is back (see reconciliation.py)."""
        for attempt in range(HOLD_CHANGE_ATTEMPTS):
            try:
                await self._apply_once(holds)
                return
            except tickethub.redis.TRANSIENT_ERRORS:
                if attempt == HOLD_CHANGE_ATTEMPTS - 1:
                    _log.warning(
                        "Redis holds of booking %s left to expire: Redis unavailable", self.record.id
                    )
                    return
                await asyncio.sleep(0.05 * 2**attempt)

    async def _apply_once(self, holds: SeatHolds) -> None:
        record = self.record
        hold = Hold.of(record)
        if self.sold_until is not None:
            await holds.mark_sold(hold, until=self.sold_until)
        elif self.was_sold:
            await holds.release_sold(hold)
        else:
            await holds.release(hold)


def _freed(cancellation: Cancellation) -> HoldChange:
    """A cancelled booking's seats leave Redis: held ones, or sold ones if it had been paid."""
    return HoldChange(cancellation.record, was_sold=cancellation.was_paid)


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
        change, refund_reason = await self._end_unconfirmable(current)
        await add_to_outbox(
            REFUND_REQUESTED, booking_id, RefundRequested(booking_id=booking_id, reason=refund_reason)
        )
        return change

    async def _end_unconfirmable(self, current: BookingRecord) -> tuple[HoldChange | None, str]:
        """Ends a paid booking the confirm guard refused, if it is still PENDING; returns its hold
        change and why its payment is refunded."""
        if current.status is BookingStatus.EXPIRED:
            return None, LATE_PAYMENT
        if current.status is not BookingStatus.PENDING:
            return None, PAID_AFTER_CANCEL
        if not await self.store.show_is_cancelled(current.show_id):
            return await self.expire(current.id), LATE_PAYMENT
        # Booked just as its show was cancelled: cancelled with the show, not expired.
        cancelled = await self.store.end_pending(current.id, BookingStatus.CANCELLED)
        if cancelled is None:
            return None, CANCELLED_WITH_SHOW
        await self._announce_cancelled(cancelled, CANCELLED_WITH_SHOW, refund_due=True)
        return HoldChange(cancelled), CANCELLED_WITH_SHOW

    async def payment_failed(self, booking_id: str, reason: str) -> HoldChange | None:
        cancelled = await self.store.end_pending(booking_id, BookingStatus.CANCELLED)
        if cancelled is None:
            return None  # already decided (duplicate, or expired first)
        await self._announce_cancelled(cancelled, f"payment declined: {reason}", refund_due=False)
        return HoldChange(cancelled)

    async def cancel_for_buyer(self, booking_id: str) -> HoldChange | None:
        """The buyer's cancel of a PENDING or CONFIRMED booking, in one transaction; a paid one is
        refunded. None if the booking was neither (it ended meanwhile)."""
        async with self.store.engine.transaction():
            cancellation = await self.store.cancel_active(booking_id)
            if cancellation is not None:
                await self._settle_cancellations([cancellation], CANCELLED_BY_BUYER)
        return None if cancellation is None else _freed(cancellation)

    async def cancel_show_batch(self, show_id: str, reason: str) -> list[HoldChange]:
        """Cancels up to SHOW_BATCH active bookings of a cancelled show in one transaction; an empty
        list once none is left."""
        async with self.store.engine.transaction():
            cancellations = await self.store.cancel_active_of_show(show_id, limit=SHOW_BATCH)
            await self._settle_cancellations(cancellations, reason)
        return [_freed(cancellation) for cancellation in cancellations]

    async def _settle_cancellations(self, cancellations: list[Cancellation], reason: str) -> None:
        """Tells each buyer, and asks payment to refund each booking that had been paid."""
        for cancellation in cancellations:
            record = cancellation.record
            await self._announce_cancelled(record, reason, refund_due=cancellation.was_paid)
            if cancellation.was_paid:
                refund = RefundRequested(booking_id=record.id, reason=reason)
                await add_to_outbox(REFUND_REQUESTED, record.id, refund)

    async def _announce_cancelled(self, record: BookingRecord, reason: str, *, refund_due: bool) -> None:
        event = await self._outcome(BookingCancelled, record, reason=reason, refund_due=refund_due)
        await add_to_outbox(BOOKING_CANCELLED, record.id, event)

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

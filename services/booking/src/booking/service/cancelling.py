"""Cancellations: the buyer's own, and every booking of a show catalog cancelled.

A cancelled booking's seats are released in the same transaction; a paid one is refunded (payment is
asked through the outbox) and its buyer told once. Redis follows after the commit.
"""

from booking.domain.lifecycle import CANCEL
from booking.domain.model import BookingRecord, Moved, needs_cancelling
from booking.service.context import BookingContext
from booking.service.hold_changes import HoldChange, apply_all
from booking.service.outcomes import (
    CANCELLED_BY_BUYER,
    announce_cancelled,
    request_refund,
    show_cancelled_reason,
)
from tickethub.contracts import ShowCancelled

SHOW_BATCH = 200  # bookings cancelled per transaction when a show is cancelled


async def cancel_booking(context: BookingContext, booking: BookingRecord) -> BookingRecord:
    """The booking after its buyer's cancel: CANCELLED (a paid one is refunded, then REFUNDED), or
    as it is when it has ended so already. Raises BookingNotCancellable (expired, show started)."""
    show = await context.shows.load(booking.show_id)
    if not needs_cancelling(booking, show, now=context.clock()):
        return booking
    async with context.uow.transaction():
        cancelled = await context.bookings.move(CANCEL, booking.id)
        if cancelled is not None:
            await _settle([cancelled], context, CANCELLED_BY_BUYER)
    if cancelled is None:  # it ended meanwhile (expired, or cancelled with its show): judge it again
        current = await context.bookings.get(booking.id)
        return booking if current is None else await cancel_booking(context, current)
    await HoldChange.freeing(cancelled).apply(context.holds)
    return cancelled.record


async def cancel_show_bookings(context: BookingContext, event: ShowCancelled) -> None:
    """Every booking of a cancelled show, batch after batch.

    No inbox row: the work spans one transaction per batch, and one row committed with the first batch
    would make a redelivery after a crash skip the rest. Every step is guarded instead (only PENDING or
    CONFIRMED bookings are cancelled), so a redelivery finds nothing to change. The read model is
    marked first and committed on its own: from then on the confirm guard refuses the show's bookings,
    and the batches that follow see every booking made before.
    """
    await context.shows.mark_cancelled(event.show_id, event.revision)
    reason = show_cancelled_reason(event.reason)
    while True:
        async with context.uow.transaction():
            cancelled = await context.bookings.move_show_bookings(CANCEL, event.show_id, limit=SHOW_BATCH)
            await _settle(cancelled, context, reason)
        if not cancelled:
            return
        await apply_all([HoldChange.freeing(moved) for moved in cancelled], context.holds)


async def _settle(cancelled: list[Moved], context: BookingContext, reason: str) -> None:
    """Tells each buyer, and asks payment to refund each booking that had been paid."""
    for moved in cancelled:
        await announce_cancelled(context, moved.record, reason, refund_due=moved.was_paid)
        if moved.was_paid:
            await request_refund(moved.record.id, reason)

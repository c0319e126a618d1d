"""A buyer cancelling their booking: the rules first, then one guarded transaction, then Redis."""

from dataclasses import dataclass
from datetime import UTC, datetime

from booking.domain.model import BookingRecord, needs_cancelling
from booking.messaging.saga import BookingSaga
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds


@dataclass(frozen=True, slots=True)
class CancellationDesk:
    store: BookingStore
    saga: BookingSaga
    holds: SeatHolds

    async def cancel(self, record: BookingRecord) -> BookingRecord:
        """The booking after its buyer's cancel: CANCELLED (a paid one is refunded, then REFUNDED), or
        as it is when it has ended so already. Raises BookingNotCancellable (expired, show started)."""
        show = await self.store.load_show(record.show_id)
        if not needs_cancelling(record, show, now=datetime.now(UTC)):
            return record
        change = await self.saga.cancel_for_buyer(record.id)
        if change is None:  # it ended meanwhile (expired, or cancelled with its show): judge it again
            current = await self.store.get(record.id)
            return record if current is None else await self.cancel(current)
        await change.apply(self.holds)
        return change.record

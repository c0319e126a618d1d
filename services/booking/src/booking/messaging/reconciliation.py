"""Redis made good after the fact: every ended booking's holds and sold marks are released once more.

A hold change runs after its transaction commits (PostgreSQL first, Redis follows). A crash in between,
or a Redis outage longer than the change's retries, would leave a hold until its TTL, and a cancelled
sale's sold mark until after the show, keeping those seats unsellable. This pass, run by the sweeper,
releases each ended booking's keys again shortly after it ended. Releasing compares the owner, so a
seat somebody else holds or bought since is never touched.
"""

from datetime import datetime, timedelta

from booking.store.bookings import BookingStore, EndedCursor
from booking.store.holds import Hold, SeatHolds

SETTLED = timedelta(seconds=15)  # longer than any transaction that ends bookings runs
LOOKBACK_AT_START = timedelta(minutes=15)  # what a restarted process looks over again


class HoldReconciliation:
    def __init__(
        self, store: BookingStore, holds: SeatHolds, *, now: datetime, settled: timedelta = SETTLED
    ) -> None:
        self._store = store
        self._holds = holds
        self._settled = settled
        self._cursor = EndedCursor(now - LOOKBACK_AT_START)

    async def run_once(self, *, limit: int = 500) -> int:
        """Releases the keys of up to `limit` bookings that ended since the last run; how many.

        A Redis error leaves the cursor where it was, so the next run tries the same bookings again.
        """
        records, cursor = await self._store.ended_after(self._cursor, settled=self._settled, limit=limit)
        for record in records:
            await self._holds.release_sold(Hold.of(record))
        self._cursor = cursor
        return len(records)

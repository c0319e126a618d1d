"""Holds that outlived their payment: expired by the sweep, and Redis made good after the fact.

The built-in sweep runs every BOOKING_SWEEP_INTERVAL_SECONDS; the operator's per-show timer asks for
one show through `sweep_show`. Both take the same guarded path, so running both is harmless.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.adapters.holds import Hold
from booking.domain.errors import UnknownShow
from booking.domain.model import SeatCounts
from booking.service.context import BookingContext
from booking.service.hold_changes import HoldChange, apply_all
from booking.service.outcomes import announce_expired
from booking.store.bookings import EndedCursor
from tickethub.telemetry import untraced

_log = logging.getLogger("booking.sweep")
SWEEP_BATCH = 200  # bookings expired per transaction
SETTLED = timedelta(seconds=15)  # longer than any transaction that ends bookings runs
LOOKBACK_AT_START = timedelta(minutes=15)  # what a restarted process looks over again


async def expire_overdue_holds(context: BookingContext, *, show_id: str | None = None) -> list[HoldChange]:
    """One batch of PENDING bookings whose hold has run out, EXPIRED and announced in one transaction;
    the caller releases their holds."""
    async with context.uow.transaction():
        expired = await context.bookings.expire_overdue(show_id=show_id, limit=SWEEP_BATCH)
        for moved in expired:
            await announce_expired(context, moved.record)
    return [HoldChange(moved.record) for moved in expired]


@dataclass(frozen=True, slots=True)
class SweptShow:
    show_id: str
    expired: int  # bookings this sweep found overdue and expired
    seats: SeatCounts


async def sweep_show(context: BookingContext, show_id: str) -> SweptShow:
    """Expires one show's overdue holds the way the built-in sweep does, then counts its seats."""
    show = await context.shows.load(show_id)
    if show is None:
        raise UnknownShow(show_id)
    expired = 0
    # Batch after batch until none is overdue: each expiry is committed (with its BookingExpired)
    # before its Redis holds are released.
    while changes := await expire_overdue_holds(context, show_id=show_id):
        await apply_all(changes, context.holds)
        expired += len(changes)
    return SweptShow(show_id=show_id, expired=expired, seats=await context.bookings.seat_counts(show))


class HoldReconciliation:
    """Every ended booking's holds and sold marks released once more, shortly after it ended.

    A hold change runs after its transaction commits. A crash in between, or a Redis outage longer
    than the change's retries, would leave a hold until its TTL, and a cancelled sale's sold mark until
    after the show, keeping those seats unsellable. Releasing compares the owner, so a seat somebody
    else holds or bought since is never touched.
    """

    def __init__(self, context: BookingContext, *, now: datetime, settled: timedelta = SETTLED) -> None:
        self._context = context
        self._settled = settled
        self._cursor = EndedCursor(now - LOOKBACK_AT_START)

    async def run_once(self, *, limit: int = 500) -> int:
        """Releases the keys of up to `limit` bookings that ended since the last run; how many.

        A Redis error leaves the cursor where it was, so the next run tries the same bookings again.
        """
        records, cursor = await self._context.bookings.ended_after(
            self._cursor, settled=self._settled, limit=limit
        )
        for record in records:
            await self._context.holds.release_sold(Hold.of(record))
        self._cursor = cursor
        return len(records)


async def sweep_forever(context: BookingContext) -> None:
    """Every BOOKING_SWEEP_INTERVAL_SECONDS (0: the operator's per-show timer does it): expires stalled
    holds, re-releases the Redis keys of bookings that ended, and forgets Idempotency-Keys past their
    retention."""
    interval = context.settings.sweep_interval_seconds
    keys_kept = timedelta(hours=context.settings.idempotency_key_hours)
    reconciliation = HoldReconciliation(context, now=context.clock())
    while interval > 0:
        try:
            with untraced():  # an expiry is reported by its event; the polling is no trace
                await apply_all(await expire_overdue_holds(context), context.holds)
                await reconciliation.run_once()
                await context.idempotency_keys.forget_older_than(keys_kept)
        except Exception:  # the database may be briefly away; the next round catches up
            _log.exception("hold sweep failed")
        await asyncio.sleep(interval)

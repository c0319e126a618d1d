"""What happens to a booking's Redis holds (and its counts) once the transaction that moved it has
committed."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import tickethub.redis
from booking.adapters.holds import Hold, SeatHolds
from booking.domain.model import BookingRecord, Moved
from booking.service.outcome_metrics import count_move

_log = logging.getLogger("booking.holds")
HOLD_CHANGE_ATTEMPTS = 7  # 0.05 s doubling: about 3 s in all
SOLD_MARKER_KEPT = timedelta(days=1)  # after the show starts; PostgreSQL stays the record


@dataclass(frozen=True, slots=True)
class HoldChange:
    record: BookingRecord
    sold_until: datetime | None = None  # None: release the holds
    was_sold: bool = False  # a confirmed booking was cancelled: its seats are marked sold, not held

    @classmethod
    def freeing(cls, moved: Moved) -> "HoldChange":
        """An ended booking's seats leave Redis: held ones, or sold ones if it had been paid."""
        return cls(moved.record, was_sold=moved.was_paid)

    async def apply(self, holds: SeatHolds) -> None:
        """Retried through a short Redis outage: the transaction has committed, so a redelivery would
        not come back here. If Redis stays away, the sweeper's reconciliation releases the ended
        booking's keys again once Redis is back (see sweeping.HoldReconciliation)."""
        count_move(self.record)  # every move that changes holds comes here once, after its commit
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
        hold = Hold.of(self.record)
        if self.sold_until is not None:
            await holds.mark_sold(hold, until=self.sold_until)
        elif self.was_sold:
            await holds.release_sold(hold)
        else:
            await holds.release(hold)


async def apply_all(changes: list[HoldChange], holds: SeatHolds) -> None:
    for change in changes:
        await change.apply(holds)

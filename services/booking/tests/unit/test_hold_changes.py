"""A hold change after a committed transaction rides out a short Redis outage (a fake Redis; no I/O)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from booking.adapters.holds import Hold, SeatHolds
from booking.domain.lifecycle import BookingStatus
from booking.domain.model import BookingRecord
from booking.service import hold_changes
from booking.service.hold_changes import HoldChange

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RECORD = BookingRecord(
    id="b1",
    user_id="u1",
    user_email="u1@example.com",
    show_id="s1",
    status=BookingStatus.CANCELLED,
    amount=Decimal("250.00"),
    currency="INR",
    seats=("A1", "A2"),
    hold_expires_at=NOW + timedelta(minutes=10),
    created_at=NOW,
)


class FlakyHolds:
    """Fails the first `failures` releases as a restarting Redis would."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.released: list[Hold] = []
        self.calls = 0

    async def release(self, hold: Hold) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise RedisConnectionError("Connection refused")
        self.released.append(hold)
        return len(hold.seats)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr(hold_changes.asyncio, "sleep", no_sleep)


async def test_a_short_outage_is_ridden_out() -> None:
    holds = FlakyHolds(failures=3)

    await HoldChange(RECORD).apply(cast(SeatHolds, holds))

    assert holds.calls == 4
    assert [(h.owner, h.buyer, tuple(h.seats)) for h in holds.released] == [("b1", "u1", ("A1", "A2"))]


async def test_a_long_outage_gives_up_without_failing_the_committed_step(caplog: Any) -> None:
    holds = FlakyHolds(failures=100)

    await HoldChange(RECORD).apply(cast(SeatHolds, holds))

    assert holds.calls == hold_changes.HOLD_CHANGE_ATTEMPTS
    assert holds.released == []
    assert "left to expire" in caplog.text

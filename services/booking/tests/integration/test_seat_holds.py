"""The Redis hold scripts against a real Redis: atomic, owned, expiring."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from booking.store.holds import SeatHolds, seat_key
from tickethub.testing import Infrastructure

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis(infra: Infrastructure) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_holds_all_seats_or_none(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    assert await holds.hold(show, ["A1", "A2"], "first", 60) == []

    taken = await holds.hold(show, ["A3", "A2", "A4"], "second", 60)

    assert taken == ["A2"]
    assert await redis.get(seat_key(show, "A3")) is None  # nothing of the failed request is held
    assert await redis.get(seat_key(show, "A2")) == "first"
    assert 0 < await redis.pttl(seat_key(show, "A1")) <= 60_000


async def test_only_the_owner_releases_or_sells(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await holds.hold(show, ["A1", "A2"], "owner", 60)

    assert await holds.release(show, ["A1", "A2"], "intruder") == 0
    after_the_show = datetime.now(UTC) + timedelta(days=3)
    assert await holds.mark_sold(show, ["A1"], "intruder", until=after_the_show) == 0
    assert await holds.mark_sold(show, ["A1"], "owner", until=after_the_show) == 1
    assert await holds.release(show, ["A1", "A2"], "owner") == 1  # A2; a sold seat stays sold

    assert await redis.get(seat_key(show, "A1")) == "sold:owner"
    assert 3 * 86_400 - 60 < await redis.ttl(seat_key(show, "A1")) <= 3 * 86_400  # gone after the show
    assert await redis.get(seat_key(show, "A2")) is None


async def test_racing_holds_of_one_seat_have_exactly_one_winner(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    results = await asyncio.gather(*(holds.hold(show, ["A1", f"B{n}"], f"c{n}", 60) for n in range(50)))
    assert sum(1 for taken in results if not taken) == 1
    winner = next(f"c{n}" for n, taken in enumerate(results) if not taken)
    assert await redis.get(seat_key(show, "A1")) == winner
    held = await redis.keys(f"seat:{{show:{show}}}:B*")
    assert len(held) == 1  # only the winner's second seat


async def test_a_hold_expires_with_its_ttl(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await holds.hold(show, ["A1"], "owner", 1)
    await redis.pexpire(seat_key(show, "A1"), 1)  # expire now rather than wait a second

    async def gone() -> bool:
        return await redis.get(seat_key(show, "A1")) is None

    for _ in range(100):
        if await gone():
            break
        await asyncio.sleep(0.01)
    assert await holds.hold(show, ["A1"], "next", 60) == []

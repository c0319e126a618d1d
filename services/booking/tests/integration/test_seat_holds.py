"""The Redis hold scripts against a real Redis: atomic, owned, expiring, capped per buyer."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from booking.adapters.holds import Hold, SeatHolds, buyer_key, seat_key
from booking.domain.errors import HoldLimitReached
from tickethub.testing import Infrastructure

pytestmark = pytest.mark.integration

CAP = 10


@pytest.fixture
async def redis(infra: Infrastructure) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url, decode_responses=True)
    yield client
    await client.aclose()


def hold_of(show: str, seats: list[str], owner: str, buyer: str | None = None) -> Hold:
    return Hold(show_id=show, seats=seats, owner=owner, buyer=buyer or f"buyer-of-{owner}")


async def take(holds: SeatHolds, hold: Hold, *, cap: int = CAP, ttl: int = 60) -> list[str]:
    return await holds.hold(hold, ttl_seconds=ttl, buyer_cap=cap)


async def test_holds_all_seats_or_none(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    assert await take(holds, hold_of(show, ["A1", "A2"], "first")) == []

    taken = await take(holds, hold_of(show, ["A3", "A2", "A4"], "second"))

    assert taken == ["A2"]
    assert await redis.get(seat_key(show, "A3")) is None  # nothing of the failed request is held
    assert await redis.get(seat_key(show, "A2")) == "first"
    assert 0 < await redis.pttl(seat_key(show, "A1")) <= 60_000
    assert await redis.zcard(buyer_key(show, "buyer-of-second")) == 0  # nor counted against its buyer


async def test_only_the_owner_releases_or_sells(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await take(holds, hold_of(show, ["A1", "A2"], "owner"))

    assert await holds.release(hold_of(show, ["A1", "A2"], "intruder")) == 0
    after_the_show = datetime.now(UTC) + timedelta(days=3)
    assert await holds.mark_sold(hold_of(show, ["A1"], "intruder"), until=after_the_show) == 0
    assert await holds.mark_sold(hold_of(show, ["A1"], "owner"), until=after_the_show) == 1
    assert await holds.release(hold_of(show, ["A1", "A2"], "owner")) == 1  # A2; a sold seat stays sold

    assert await redis.get(seat_key(show, "A1")) == "sold:owner"
    assert 3 * 86_400 - 60 < await redis.ttl(seat_key(show, "A1")) <= 3 * 86_400  # gone after the show
    assert await redis.get(seat_key(show, "A2")) is None
    assert await redis.zcard(buyer_key(show, "buyer-of-owner")) == 0  # sold or released: not held


async def test_racing_holds_of_one_seat_have_exactly_one_winner(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    results = await asyncio.gather(*(take(holds, hold_of(show, ["A1", f"B{n}"], f"c{n}")) for n in range(50)))
    assert sum(1 for taken in results if not taken) == 1
    winner = next(f"c{n}" for n, taken in enumerate(results) if not taken)
    assert await redis.get(seat_key(show, "A1")) == winner
    held = await redis.keys(f"seat:{{show:{show}}}:B*")
    assert len(held) == 1  # only the winner's second seat


async def test_a_hold_expires_with_its_ttl(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await take(holds, hold_of(show, ["A1"], "owner"), ttl=1)
    await redis.pexpire(seat_key(show, "A1"), 1)  # expire now rather than wait a second

    async def gone() -> bool:
        return await redis.get(seat_key(show, "A1")) is None

    for _ in range(100):
        if await gone():
            break
        await asyncio.sleep(0.01)
    assert await take(holds, hold_of(show, ["A1"], "next")) == []


async def test_a_buyer_cannot_hold_more_than_the_cap_across_bookings(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await take(holds, hold_of(show, ["A1", "A2", "A3"], "b1", buyer="alice"), cap=4)

    with pytest.raises(HoldLimitReached) as refused:
        await take(holds, hold_of(show, ["B1", "B2"], "b2", buyer="alice"), cap=4)

    assert refused.value.extra == {"heldSeats": 3, "limit": 4}
    assert await redis.get(seat_key(show, "B1")) is None  # nothing of the refused booking is held
    # Another buyer is not affected, and a released booking frees its seats from the count.
    assert await take(holds, hold_of(show, ["C1", "C2"], "b3", buyer="bob"), cap=4) == []
    await holds.release(hold_of(show, ["A1", "A2", "A3"], "b1", buyer="alice"))
    assert await take(holds, hold_of(show, ["B1", "B2"], "b2", buyer="alice"), cap=4) == []


async def test_racing_requests_of_one_buyer_never_pass_the_cap_together(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())

    async def attempt(n: int) -> bool:
        try:
            await holds.hold(
                hold_of(show, [f"R{n}a", f"R{n}b"], f"o{n}", buyer="racer"), ttl_seconds=60, buyer_cap=5
            )
        except HoldLimitReached:
            return False
        return True

    won = await asyncio.gather(*(attempt(n) for n in range(20)))

    assert sum(won) == 2  # 2 x 2 seats fit under 5; a third booking would make 6
    held_seats = [key async for key in redis.scan_iter(match=seat_key(show, "R*"))]
    assert len(held_seats) == 4
    assert await redis.zcard(buyer_key(show, "racer")) == 4


async def test_expired_holds_stop_counting_against_the_buyer(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    await take(holds, hold_of(show, ["A1", "A2"], "old", buyer="carol"), cap=2, ttl=1)
    # Age the entries as if their hold had run out (the script trims by expiry time on each hold).
    members = await redis.zrange(buyer_key(show, "carol"), 0, -1)
    await redis.zadd(buyer_key(show, "carol"), dict.fromkeys(members, 0))

    assert await take(holds, hold_of(show, ["B1", "B2"], "new", buyer="carol"), cap=2) == []
    assert await redis.zcard(buyer_key(show, "carol")) == 2


async def test_holding_again_for_the_same_booking_is_not_counted_twice(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    again = hold_of(show, ["A1", "A2"], "same", buyer="dave")
    assert await holds.hold(again, ttl_seconds=60, buyer_cap=2) == []
    assert await holds.hold(again, ttl_seconds=60, buyer_cap=2) == []  # a retry of the same hold
    assert await redis.zcard(buyer_key(show, "dave")) == 2


async def test_a_cancelled_sale_frees_its_seats_and_only_its_own(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    sold = hold_of(show, ["A1", "A2"], "sold-then-cancelled")
    await take(holds, sold)
    await holds.mark_sold(sold, until=datetime.now(UTC) + timedelta(days=1))
    await take(holds, hold_of(show, ["A3"], "someone-else"))

    # A1, A2 are marked sold; A3 is another booking's hold and stays.
    assert await holds.release_sold(hold_of(show, ["A1", "A2", "A3"], "sold-then-cancelled")) == 2

    left = [await redis.get(seat_key(show, seat)) for seat in ("A1", "A2", "A3")]
    assert left == [None, None, "someone-else"]
    assert await take(holds, hold_of(show, ["A1"], "next-buyer")) == []


async def test_a_cancelled_sale_not_yet_marked_sold_cannot_be_marked_later(redis: Redis) -> None:
    holds, show = SeatHolds(redis), str(uuid.uuid4())
    booking = hold_of(show, ["A1"], "confirmed-then-cancelled")
    await take(holds, booking)

    assert await holds.release_sold(booking) == 1  # the hold itself: the sale had not reached Redis
    assert await holds.mark_sold(booking, until=datetime.now(UTC) + timedelta(days=1)) == 0

    assert await redis.get(seat_key(show, "A1")) is None

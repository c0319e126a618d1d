"""Racing buyers: exactly one winner per seat, all-or-nothing holds, losers never touch winners."""

import asyncio
import random

import asyncpg
import pytest
from redis.asyncio import Redis

from system import Api

pytestmark = pytest.mark.e2e


def key(show_id: str, seat: str) -> str:
    return f"seat:{{show:{show_id}}}:{seat}"


async def test_fifty_clients_racing_for_one_seat_make_one_booking(
    api: Api, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    tokens = [(await api.user_token())[1] for _ in range(50)]

    responses = await asyncio.gather(*(api.book(token, show["id"], ["A5"]) for token in tokens))

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(202) == 1
    assert statuses.count(409) == 49
    for rejected in (r for r in responses if r.status_code == 409):
        assert rejected.headers["content-type"].startswith("application/problem+json")
        assert rejected.json()["takenSeats"] == ["A5"]
    rows = await booking_db.fetchval(
        "SELECT count(*) FROM booking_seats WHERE show_id = $1 AND seat_id = 'A5'", show["id"]
    )
    assert rows == 1


async def test_overlapping_multi_seat_requests_never_leave_a_partial_hold(
    api: Api, redis: Redis, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show(hold_seconds=600)
    seats = [f"B{n}" for n in range(1, 9)]
    rng = random.Random(7)
    requests = [rng.sample(seats, rng.randint(2, 4)) for _ in range(40)]
    tokens = [(await api.user_token())[1] for _ in requests]

    responses = await asyncio.gather(
        *(api.book(t, show["id"], wanted) for t, wanted in zip(tokens, requests, strict=True))
    )

    assert {r.status_code for r in responses} <= {202, 409}
    winners = {r.json()["id"]: r.json()["seats"] for r in responses if r.status_code == 202}
    assert winners, "at least the first request must win"
    claimed = [seat for won in winners.values() for seat in won]
    assert len(claimed) == len(set(claimed)), "a seat was won twice"
    owners = dict(zip(seats, await redis.mget([key(show["id"], s) for s in seats]), strict=True))
    for booking_id, won in winners.items():
        assert all(owners[seat] in (booking_id, f"sold:{booking_id}") for seat in won)
    held_by_nobody = [seat for seat, owner in owners.items() if owner is None]
    assert not set(held_by_nobody) & set(claimed)
    assert all(owner is None or owner.removeprefix("sold:") in winners for owner in owners.values())
    active = await booking_db.fetch(
        "SELECT seat_id, booking_id::text AS booking FROM booking_seats "
        "WHERE show_id = $1 AND status IN ('HELD', 'SOLD')",
        show["id"],
    )
    assert sorted(row["seat_id"] for row in active) == sorted(claimed)


async def test_a_losing_request_never_removes_the_winners_hold(api: Api, redis: Redis) -> None:
    show = await api.create_show()
    _, winner = await api.user_token()
    _, loser = await api.user_token()
    won = await api.book(winner, show["id"], ["A7"])
    assert won.status_code == 202

    lost = await api.book(loser, show["id"], ["A8", "A7"])

    assert lost.status_code == 409
    assert lost.json()["takenSeats"] == ["A7"]
    assert (await redis.get(key(show["id"], "A7"))).removeprefix("sold:") == won.json()["id"]
    assert await redis.get(key(show["id"], "A8")) is None  # nothing of the losing request is held

"""Injected faults: the saga waits out a broken dependency and completes once it is back (I7)."""

import asyncpg
import pytest
from redis.asyncio import Redis

from system import Api
from tickethub.stack.local import Stack
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e


async def test_bookings_are_accepted_while_kafka_is_down_and_confirm_when_it_returns(
    api: Api, stack: Stack, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()

    stack.kafka.stop()
    try:
        response = await api.book(token, show["id"], ["A6", "B6"])
        assert response.status_code == 202, response.text  # the outbox keeps the request
        booking_id = response.json()["id"]
        pending = await booking_db.fetchval("SELECT count(*) FROM outbox WHERE message_key = $1", booking_id)
        assert pending == 1  # nothing could be published, nothing was lost
        assert (await api.seat_map(show["id"]))["A6"] == "HELD"
    finally:
        stack.kafka.start()
        stack.kafka.wait_ready(timeout=60)

    confirmed = await api.wait_for_status(token, booking_id, "CONFIRMED", within=90)
    assert confirmed["seats"] == ["A6", "B6"]

    async def outbox_drained() -> bool:
        # BookingConfirmed is written with the confirmation and relayed just after it.
        left = await booking_db.fetchval("SELECT count(*) FROM outbox WHERE message_key = $1", booking_id)
        return left == 0

    await eventually(outbox_drained, what="booking's outbox to publish everything of the booking")


async def test_bookings_need_no_users_service_once_its_keys_are_known(api: Api, stack: Stack) -> None:
    """Tokens are verified against cached public keys: no call to users per request."""
    show = await api.create_show()
    _, token = await api.user_token()
    assert (await api.book(token, show["id"], ["A1"])).status_code == 202  # booking learns the keys
    stack.services["users"].stop()
    try:
        response = await api.book(token, show["id"], ["A2"])
        assert response.status_code == 202, response.text
        await api.wait_for_status(token, response.json()["id"], "CONFIRMED")
    finally:
        stack.services["users"].start()
        stack.services["users"].wait_ready(timeout=60)


async def test_unreachable_signing_keys_are_a_503_not_a_401(api: Api, stack: Stack) -> None:
    """A service that never saw the keys cannot judge a token: it says so, and to retry."""
    _, token = await api.user_token()
    stack.services["users"].stop()
    stack.services["payment"].stop()
    stack.services["payment"].start()  # a fresh process knows no keys yet
    try:
        stack.services["payment"].wait_ready(timeout=60)
        response = await api.http.get("/payments", headers={"Authorization": f"Bearer {token}"})
    finally:
        stack.services["users"].start()
        stack.services["users"].wait_ready(timeout=60)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0


async def test_with_redis_down_a_booking_is_a_503_and_nothing_is_written(
    api: Api, stack: Stack, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    stack.redis.stop()
    try:
        response = await api.book(token, show["id"], ["A3"])
    finally:
        stack.redis.start()
        stack.redis.wait_ready(timeout=30)

    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert await booking_db.fetchval("SELECT count(*) FROM bookings WHERE show_id = $1", show["id"]) == 0
    assert (await api.book(token, show["id"], ["A3"])).status_code == 202  # and it recovers


async def test_a_redis_that_forgot_every_hold_still_cannot_sell_a_seat_twice(
    api: Api, stack: Stack, redis: Redis, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, first = await api.user_token()
    _, second = await api.user_token()
    won = await api.book(first, show["id"], ["A4", "A5"])
    assert won.status_code == 202
    await api.wait_for_status(first, won.json()["id"], "CONFIRMED")
    stack.redis.stop()  # no persistence here: a restart forgets every hold and sold mark
    stack.redis.start()
    stack.redis.wait_ready(timeout=30)

    again = await api.book(second, show["id"], ["A6", "A5"])

    assert again.status_code == 409, again.text  # PostgreSQL's partial unique index decided
    assert again.json()["takenSeats"] == ["A5"]
    assert await redis.get(f"seat:{{show:{show['id']}}}:A6") is None  # its own hold was released
    sold = await booking_db.fetchval(
        "SELECT count(*) FROM booking_seats "
        "WHERE show_id = $1 AND seat_id = 'A5' AND status IN ('HELD', 'SOLD')",
        show["id"],
    )
    assert sold == 1


async def test_booking_keeps_selling_a_known_show_while_catalog_is_down(api: Api, stack: Stack) -> None:
    show = await api.create_show()  # booking's read model has it once this returns
    _, token = await api.user_token()
    stack.services["catalog"].stop()
    try:
        response = await api.book(token, show["id"], ["B3"])
        assert response.status_code == 202, response.text
        assert response.json()["amount"] == "400.00"  # priced from booking's own copy of the show
        await api.wait_for_status(token, response.json()["id"], "CONFIRMED")
    finally:
        stack.services["catalog"].start()
        stack.services["catalog"].wait_ready(timeout=60)

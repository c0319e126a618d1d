"""POST /bookings with an Idempotency-Key, and the per-user cap on seats held at once for a show."""

import asyncio
import uuid

import asyncpg
import pytest

from system import PROBLEM_JSON, Api
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


async def bookings_of(booking_db: asyncpg.Connection, show_id: str) -> int:
    count: int = await booking_db.fetchval("SELECT count(*) FROM bookings WHERE show_id = $1", show_id)
    return count


async def test_the_same_key_and_body_twice_make_one_booking_and_the_same_response(
    api: Api, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = await api.book(token, show["id"], ["A1", "A2"], headers=key)
    again = await api.book(token, show["id"], ["A1", "A2"], headers=key)

    assert first.status_code == again.status_code == 202, (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await bookings_of(booking_db, show["id"]) == 1


async def test_the_same_key_with_another_body_is_422_and_books_nothing(
    api: Api, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert (await api.book(token, show["id"], ["A1"], headers=key)).status_code == 202

    reused = await api.book(token, show["id"], ["A2"], headers=key)

    assert reused.status_code == 422
    assert reused.headers["content-type"].startswith(PROBLEM_JSON)
    assert [error["field"] for error in reused.json()["errors"]] == ["Idempotency-Key"]
    assert await bookings_of(booking_db, show["id"]) == 1
    assert (await api.seat_map(show["id"]))["A2"] == "AVAILABLE"


async def test_racing_retries_with_one_key_book_once(api: Api, booking_db: asyncpg.Connection) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    key = {"Idempotency-Key": str(uuid.uuid4())}

    responses = await asyncio.gather(*(api.book(token, show["id"], ["B3"], headers=key) for _ in range(10)))

    # The first wins; the others replay it or, while it is still running, are told to retry.
    assert {r.status_code for r in responses} <= {202, 409}
    accepted = [r.json() for r in responses if r.status_code == 202]
    assert accepted and all(body == accepted[0] for body in accepted)
    for busy in (r for r in responses if r.status_code == 409):
        assert busy.json()["type"] == "urn:tickethub:problem:idempotent-request-in-progress"
        assert busy.headers["retry-after"] == "1"
    assert await bookings_of(booking_db, show["id"]) == 1


async def test_a_failed_request_does_not_use_up_its_key(api: Api) -> None:
    show = await api.create_show()
    _, rival = await api.user_token()
    _, token = await api.user_token()
    assert (await api.book(rival, show["id"], ["A7"])).status_code == 202
    key = {"Idempotency-Key": str(uuid.uuid4())}

    assert (await api.book(token, show["id"], ["A7"], headers=key)).status_code == 409
    assert (await api.book(token, show["id"], ["A7", "A8"], headers=key)).status_code == 409
    retried = await api.book(token, show["id"], ["A8"], headers=key)

    assert retried.status_code == 202, retried.text


async def test_keys_are_per_user(api: Api, booking_db: asyncpg.Connection) -> None:
    show = await api.create_show()
    _, alice = await api.user_token()
    _, bob = await api.user_token()
    key = {"Idempotency-Key": "shared-key-" + uuid.uuid4().hex}

    first = await api.book(alice, show["id"], ["B1"], headers=key)
    second = await api.book(bob, show["id"], ["B2"], headers=key)

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] != second.json()["id"]
    assert await bookings_of(booking_db, show["id"]) == 2


async def test_a_malformed_key_is_422_naming_the_header(api: Api, booking_db: asyncpg.Connection) -> None:
    show = await api.create_show()
    _, token = await api.user_token()

    response = await api.book(token, show["id"], ["A1"], headers={"Idempotency-Key": "has spaces"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert await bookings_of(booking_db, show["id"]) == 0


async def test_a_user_cannot_hold_more_seats_of_a_show_than_the_cap(
    api: Api, stack: Stack, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    _, other = await api.user_token()
    declined = await api.book(token, show["id"], [f"A{n}" for n in range(1, 9)], paymentToken="tok_decline")
    assert declined.status_code == 202, declined.text
    await api.wait_for_status(token, declined.json()["id"], "CANCELLED")  # its holds are given back
    payment = stack.services["payment"]
    payment.stop()  # bookings stay PENDING, so their seats stay held
    try:
        held = await api.book(token, show["id"], [f"B{n}" for n in range(1, 9)])
        assert held.status_code == 202, held.text

        over = await api.book(token, show["id"], ["A1", "A2", "A3"])

        # The stack runs with the default cap: 10 seats held at once per user and show.
        assert over.status_code == 409, over.text
        assert over.json()["type"] == "urn:tickethub:problem:hold-limit-reached"
        assert (over.json()["heldSeats"], over.json()["limit"]) == (8, 10)
        assert (await api.book(token, show["id"], ["A1", "A2"])).status_code == 202  # 10 fit
        assert (await api.book(other, show["id"], ["A3", "A4", "A5"])).status_code == 202  # others unaffected
    finally:
        payment.start()
    await api.wait_for_status(token, held.json()["id"], "CONFIRMED")
    assert (
        await api.book(token, show["id"], ["A6", "A7", "A8"])
    ).status_code == 202  # sold seats stop counting
    assert await bookings_of(booking_db, show["id"]) == 5

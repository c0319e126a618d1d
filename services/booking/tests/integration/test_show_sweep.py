"""POST /internal/shows/{showId}/sweep: the operator's per-show sweep, and the seat counts it answers.

The app's own sweeper is off in these tests (BOOKING_SWEEP_INTERVAL_SECONDS=0), so only the endpoint
expires anything here.
"""

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from booking.adapters.holds import seat_key
from tickethub.contracts import BOOKING_EXPIRED, PAYMENT_SUCCEEDED, BookingExpired, PaymentSucceeded
from tickethub.testing import KafkaProbe, TokenIssuer

pytestmark = pytest.mark.integration

SEATS = ["A1", "A2", "A3", "A4"]


async def book(client: httpx.AsyncClient, issuer: TokenIssuer, show_id: str, seats: list[str]) -> str:
    """A PENDING booking of a buyer of its own; returns its id."""
    response = await client.post(
        "/bookings",
        json={"showId": show_id, "seats": seats},
        headers=issuer.headers(subject=str(uuid.uuid4())),
    )
    assert response.status_code == 202, response.text
    booking_id: str = response.json()["id"]
    return booking_id


async def let_hold_run_out(db: asyncpg.Connection, booking_id: str) -> None:
    await db.execute(
        "UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE id = $1",
        uuid.UUID(booking_id),
    )


async def pay(kafka: KafkaProbe, booking_id: str) -> None:
    event = PaymentSucceeded(
        booking_id=booking_id, payment_id=str(uuid.uuid4()), amount=Decimal("250.00"), currency="INR"
    )
    await kafka.publish(PAYMENT_SUCCEEDED, event, key=booking_id)
    await kafka.settled()


async def sweep(client: httpx.AsyncClient, show_id: str, headers: dict[str, str]) -> httpx.Response:
    return await client.post(f"/internal/shows/{show_id}/sweep", headers=headers)


async def status_of(db: asyncpg.Connection, booking_id: str) -> str:
    status: str = await db.fetchval("SELECT status FROM bookings WHERE id = $1", uuid.UUID(booking_id))
    return status


def result(show_id: str, expired: int, *, available: int, held: int, sold: int) -> dict[str, Any]:
    seats = {"total": len(SEATS), "available": available, "held": held, "sold": sold}
    return {"showId": show_id, "expired": expired, "seats": seats}


async def test_the_sweep_expires_only_this_shows_overdue_bookings_and_counts_its_seats(
    client: httpx.AsyncClient,
    issuer: TokenIssuer,
    kafka: KafkaProbe,
    db: asyncpg.Connection,
    redis: Redis,
    publish_show: Any,
) -> None:
    show, other_show = await publish_show(SEATS), await publish_show(SEATS)
    late = await book(client, issuer, show, ["A1", "A2"])
    waiting = await book(client, issuer, show, ["A3"])
    paid = await book(client, issuer, show, ["A4"])
    await pay(kafka, paid)
    late_elsewhere = await book(client, issuer, other_show, ["A1"])
    await let_hold_run_out(db, late_elsewhere)
    operator = issuer.headers("SERVICE", subject="show-operator")

    before = await sweep(client, show, operator)
    await let_hold_run_out(db, late)
    swept = await sweep(client, show, operator)
    again = await sweep(client, show, issuer.headers("ADMIN"))

    assert before.status_code == 200, before.text
    assert before.json() == result(show, 0, available=0, held=3, sold=1)
    assert swept.status_code == 200, swept.text
    assert swept.json() == result(show, 1, available=2, held=1, sold=1)
    assert again.json() == result(show, 0, available=2, held=1, sold=1)
    statuses = [await status_of(db, booking) for booking in (late, waiting, paid, late_elsewhere)]
    assert statuses == ["EXPIRED", "PENDING", "CONFIRMED", "PENDING"]
    assert [await redis.get(seat_key(show, seat)) for seat in ("A1", "A2", "A3")] == [None, None, waiting]
    assert await redis.get(seat_key(other_show, "A1")) == late_elsewhere
    await kafka.settled()  # the outbox has handed every event to Kafka
    expired = await kafka.read(BOOKING_EXPIRED, late)
    assert [(event.booking_id, event.seats) for event in expired if isinstance(event, BookingExpired)] == [
        (late, ["A1", "A2"])
    ]
    assert await kafka.read(BOOKING_EXPIRED, late_elsewhere) == []


async def test_a_user_token_is_403_and_expires_nothing(
    client: httpx.AsyncClient, issuer: TokenIssuer, db: asyncpg.Connection, publish_show: Any
) -> None:
    show = await publish_show(SEATS)
    late = await book(client, issuer, show, ["A1"])
    await let_hold_run_out(db, late)

    response = await sweep(client, show, issuer.headers("USER"))

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await status_of(db, late) == "PENDING"


async def test_without_a_token_it_is_401(client: httpx.AsyncClient, publish_show: Any) -> None:
    response = await client.post(f"/internal/shows/{await publish_show(SEATS)}/sweep")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("show_id", [str(uuid.uuid4()), "not-a-show"])
async def test_a_show_booking_has_not_heard_of_is_404(
    client: httpx.AsyncClient, issuer: TokenIssuer, show_id: str
) -> None:
    response = await sweep(client, show_id, issuer.headers("SERVICE"))

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-show"
    assert response.json()["showId"] == show_id

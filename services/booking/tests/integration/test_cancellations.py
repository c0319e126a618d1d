"""Cancelling bookings: the buyer's POST /bookings/{id}/cancel and the cancellation of a whole show.

Catalog's and payment's events are published to the real topics; what booking decided is read back from
its database, Redis, its seat map and the events it put on Kafka.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from booking.adapters.holds import seat_key
from booking.service.context import BookingContext
from booking.service.outcomes import CANCELLED_BY_BUYER, CANCELLED_WITH_SHOW, PAID_AFTER_CANCEL
from booking.service.sweeping import HoldReconciliation, expire_overdue_holds
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    REFUND_REQUESTED,
    SHOW_CANCELLED,
    BookingCancelled,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
    RefundRequested,
    ShowCancelled,
)
from tickethub.testing import KafkaProbe, TokenIssuer

pytestmark = pytest.mark.integration

SEATS = [f"A{n}" for n in range(1, 9)]


class Buyers:
    """Books through the API as distinct users; `headers(user)` is that user's Authorization."""

    def __init__(self, client: httpx.AsyncClient, issuer: TokenIssuer) -> None:
        self.client = client
        self.issuer = issuer

    def headers(self, user: str) -> dict[str, str]:
        return self.issuer.headers(subject=user)

    async def book(self, user: str, show_id: str, seats: list[str]) -> dict[str, Any]:
        response = await self.client.post(
            "/bookings", json={"showId": show_id, "seats": seats}, headers=self.headers(user)
        )
        assert response.status_code == 202, response.text
        booked: dict[str, Any] = response.json()
        return booked

    async def cancel(self, user: str, booking_id: str) -> httpx.Response:
        return await self.client.post(f"/bookings/{booking_id}/cancel", headers=self.headers(user))

    async def status(self, user: str, booking_id: str) -> str:
        response = await self.client.get(f"/bookings/{booking_id}", headers=self.headers(user))
        status: str = response.json()["status"]
        return status


@pytest.fixture
def buyers(client: httpx.AsyncClient, issuer: TokenIssuer) -> Buyers:
    return Buyers(client, issuer)


@pytest.fixture
async def show_id(publish_show: Any) -> str:
    """A show booking knows from catalog's event, starting in two days."""
    return await publish_show(SEATS)


def payment_id_of(booking: dict[str, Any]) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, booking["id"]))  # stable, as payment's is per booking


async def pay(kafka: KafkaProbe, booking: dict[str, Any]) -> None:
    event = PaymentSucceeded(
        booking_id=booking["id"],
        payment_id=payment_id_of(booking),
        amount=Decimal(booking["amount"]),
        currency="INR",
    )
    await kafka.publish(PAYMENT_SUCCEEDED, event, key=booking["id"])
    await kafka.settled()


async def refund(kafka: KafkaProbe, booking: dict[str, Any]) -> None:
    event = PaymentRefunded(
        booking_id=booking["id"],
        payment_id=payment_id_of(booking),
        amount=Decimal(booking["amount"]),
        currency="INR",
    )
    await kafka.publish(PAYMENT_REFUNDED, event, key=booking["id"])
    await kafka.settled()


async def cancel_show(kafka: KafkaProbe, show_id: str, reason: str | None = "Power cut") -> ShowCancelled:
    event = ShowCancelled(show_id=show_id, revision=2, reason=reason)
    await kafka.publish(SHOW_CANCELLED, event, key=show_id)
    await kafka.settled()
    return event


async def announced(kafka: KafkaProbe, booking_id: str) -> list[tuple[str, bool]]:
    """(reason, refund due) of every BookingCancelled of the booking on Kafka: one e-mail each."""
    events = await kafka.read(BOOKING_CANCELLED, booking_id)
    return [(event.reason, event.refund_due) for event in events if isinstance(event, BookingCancelled)]


async def refund_reasons(kafka: KafkaProbe, booking_id: str) -> list[str]:
    events = await kafka.read(REFUND_REQUESTED, booking_id)
    return [event.reason for event in events if isinstance(event, RefundRequested)]


async def free_in_redis(redis: Redis, show_id: str, seats: list[str]) -> bool:
    return [await redis.get(seat_key(show_id, seat)) for seat in seats] == [None] * len(seats)


async def seat_map(client: httpx.AsyncClient, show_id: str) -> dict[str, str]:
    seats = (await client.get(f"/bookings/show/{show_id}")).json()["seats"]
    return {seat["id"]: seat["status"] for seat in seats}


async def db_status(db: asyncpg.Connection, booking_id: str) -> tuple[str, list[str]]:
    status = await db.fetchval("SELECT status FROM bookings WHERE id = $1", uuid.UUID(booking_id))
    seats = await db.fetch(
        "SELECT status FROM booking_seats WHERE booking_id = $1 ORDER BY seat_id", uuid.UUID(booking_id)
    )
    return status, [row["status"] for row in seats]


# -- the buyer's cancel ---------------------------------------------------------------------------


async def test_a_pending_booking_is_cancelled_and_a_late_payment_refunded(
    buyers: Buyers, kafka: KafkaProbe, redis: Redis, db: asyncpg.Connection, show_id: str
) -> None:
    booking = await buyers.book("ana", show_id, ["A1", "A2"])

    response = await buyers.cancel("ana", booking["id"])

    assert response.status_code == 202, response.text
    assert response.json() == booking | {"status": "CANCELLED"}
    assert await db_status(db, booking["id"]) == ("CANCELLED", ["RELEASED", "RELEASED"])
    assert await free_in_redis(redis, show_id, ["A1", "A2"])
    assert set((await seat_map(buyers.client, show_id)).values()) == {"AVAILABLE"}
    await kafka.settled()
    assert await announced(kafka, booking["id"]) == [(CANCELLED_BY_BUYER, False)]
    assert await refund_reasons(kafka, booking["id"]) == []

    await pay(kafka, booking)  # the charge was already under way: it is given back, never confirmed

    assert await buyers.status("ana", booking["id"]) == "CANCELLED"
    assert await refund_reasons(kafka, booking["id"]) == [PAID_AFTER_CANCEL]
    assert await kafka.read(BOOKING_CONFIRMED, booking["id"]) == []
    await refund(kafka, booking)
    assert await buyers.status("ana", booking["id"]) == "REFUNDED"
    assert len(await announced(kafka, booking["id"])) == 1  # one outcome, one e-mail


async def test_a_confirmed_booking_is_cancelled_refunded_and_its_seats_sold_again(
    buyers: Buyers, kafka: KafkaProbe, redis: Redis, db: asyncpg.Connection, show_id: str
) -> None:
    booking = await buyers.book("ben", show_id, ["A3"])
    await pay(kafka, booking)
    assert await buyers.status("ben", booking["id"]) == "CONFIRMED"
    assert await redis.get(seat_key(show_id, "A3")) == f"sold:{booking['id']}"

    response = await buyers.cancel("ben", booking["id"])

    assert response.status_code == 202
    assert response.json()["status"] == "CANCELLED"
    assert await db_status(db, booking["id"]) == ("CANCELLED", ["RELEASED"])
    assert await free_in_redis(redis, show_id, ["A3"])
    await kafka.settled()
    assert await announced(kafka, booking["id"]) == [(CANCELLED_BY_BUYER, True)]
    assert await refund_reasons(kafka, booking["id"]) == [CANCELLED_BY_BUYER]
    await buyers.book("cleo", show_id, ["A3"])  # on sale again

    await refund(kafka, booking)

    assert await buyers.status("ben", booking["id"]) == "REFUNDED"
    again = await buyers.cancel("ben", booking["id"])
    assert (again.status_code, again.json()["status"]) == (202, "REFUNDED")


async def test_cancelling_twice_answers_the_same_booking_and_announces_once(
    buyers: Buyers, kafka: KafkaProbe, show_id: str
) -> None:
    booking = await buyers.book("dan", show_id, ["A4"])
    first = await buyers.cancel("dan", booking["id"])

    second = await buyers.cancel("dan", booking["id"])

    assert second.status_code == 202
    assert second.json() == first.json()
    await kafka.settled()
    assert len(await announced(kafka, booking["id"])) == 1


async def test_an_expired_booking_cannot_be_cancelled(
    buyers: Buyers, db: asyncpg.Connection, show_id: str, context: BookingContext
) -> None:
    booking = await buyers.book("eve", show_id, ["A5"])
    await db.execute(
        "UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE id = $1",
        uuid.UUID(booking["id"]),
    )
    expired = await expire_overdue_holds(context, show_id=show_id)
    assert [change.record.id for change in expired] == [booking["id"]]

    response = await buyers.cancel("eve", booking["id"])

    assert response.status_code == 409
    assert response.json()["type"] == "urn:tickethub:problem:booking-not-cancellable"
    assert await db_status(db, booking["id"]) == ("EXPIRED", ["RELEASED"])


async def test_once_the_show_has_started_nothing_can_be_cancelled(
    buyers: Buyers, kafka: KafkaProbe, db: asyncpg.Connection, show_id: str
) -> None:
    pending = await buyers.book("fay", show_id, ["A6"])
    confirmed = await buyers.book("fay", show_id, ["A7"])
    await pay(kafka, confirmed)
    await db.execute("UPDATE shows SET starts_at = now() - interval '1 minute' WHERE show_id = $1", show_id)

    responses = [await buyers.cancel("fay", booking["id"]) for booking in (pending, confirmed)]

    assert [response.status_code for response in responses] == [409, 409]
    assert await db_status(db, pending["id"]) == ("PENDING", ["HELD"])
    assert await db_status(db, confirmed["id"]) == ("CONFIRMED", ["SOLD"])


async def test_someone_elses_booking_is_404_and_stays_as_it_was(
    buyers: Buyers, kafka: KafkaProbe, redis: Redis, db: asyncpg.Connection, show_id: str
) -> None:
    booking = await buyers.book("gus", show_id, ["A8"])
    await kafka.settled()

    response = await buyers.cancel("mallory", booking["id"])

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-booking"
    assert await db_status(db, booking["id"]) == ("PENDING", ["HELD"])
    assert await redis.get(seat_key(show_id, "A8")) == booking["id"]
    assert await db.fetchval("SELECT count(*) FROM outbox") == 0  # nothing announced
    assert await kafka.read(BOOKING_CANCELLED, booking["id"]) == []


@pytest.mark.parametrize("booking_id", [str(uuid.uuid4()), "not-an-id"])
async def test_an_unknown_booking_is_404(buyers: Buyers, booking_id: str) -> None:
    response = await buyers.cancel("hal", booking_id)

    assert response.status_code == 404


async def test_without_a_token_it_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/bookings/{uuid.uuid4()}/cancel")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


# -- the show's cancellation ----------------------------------------------------------------------


async def test_a_cancelled_show_cancels_every_active_booking_and_refunds_the_paid_ones(
    buyers: Buyers, kafka: KafkaProbe, redis: Redis, db: asyncpg.Connection, show_id: str
) -> None:
    pending = await buyers.book("ivy", show_id, ["A1", "A2"])
    confirmed = await buyers.book("jon", show_id, ["A3"])
    await pay(kafka, confirmed)
    declined = await buyers.book("kim", show_id, ["A4"])
    failed = PaymentFailed(booking_id=declined["id"], reason="card_declined")
    await kafka.publish(PAYMENT_FAILED, failed, key=declined["id"])
    await kafka.settled()

    event = await cancel_show(kafka, show_id)

    assert await db_status(db, pending["id"]) == ("CANCELLED", ["RELEASED", "RELEASED"])
    assert await db_status(db, confirmed["id"]) == ("CANCELLED", ["RELEASED"])
    assert await free_in_redis(redis, show_id, SEATS)
    assert set((await seat_map(buyers.client, show_id)).values()) == {"AVAILABLE"}
    reason = f"{CANCELLED_WITH_SHOW}: Power cut"
    assert await announced(kafka, pending["id"]) == [(reason, False)]
    assert await announced(kafka, confirmed["id"]) == [(reason, True)]
    assert await announced(kafka, declined["id"]) == [("payment declined: card_declined", False)]
    assert await refund_reasons(kafka, confirmed["id"]) == [reason]
    assert await refund_reasons(kafka, pending["id"]) == []  # nothing was taken
    refused = await buyers.client.post(
        "/bookings", json={"showId": show_id, "seats": ["A5"]}, headers=buyers.headers("lea")
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:tickethub:problem:show-not-bookable"

    await kafka.publish(SHOW_CANCELLED, event, key=show_id)  # delivered again
    await kafka.settled()
    assert len(await announced(kafka, confirmed["id"])) == 1
    assert len(await refund_reasons(kafka, confirmed["id"])) == 1

    await pay(kafka, pending)  # its charge was under way: refunded, never confirmed
    await refund(kafka, pending)
    await refund(kafka, confirmed)
    assert await buyers.status("ivy", pending["id"]) == "REFUNDED"
    assert await buyers.status("jon", confirmed["id"]) == "REFUNDED"
    assert await buyers.status("kim", declined["id"]) == "CANCELLED"


async def test_another_shows_bookings_are_untouched(
    buyers: Buyers, kafka: KafkaProbe, db: asyncpg.Connection, show_id: str
) -> None:
    other_show = str(uuid.uuid4())
    booking = await buyers.book("max", show_id, ["A1"])

    await cancel_show(kafka, other_show)

    assert await db_status(db, booking["id"]) == ("PENDING", ["HELD"])


async def test_a_booking_made_as_its_show_was_cancelled_is_never_confirmed(
    buyers: Buyers,
    kafka: KafkaProbe,
    redis: Redis,
    db: asyncpg.Connection,
    show_id: str,
    context: BookingContext,
) -> None:
    """The race the confirm guard closes: the read model already says CANCELLED, but the booking was
    written after the cancellation's batches had looked (here: they never ran)."""
    booking = await buyers.book("ned", show_id, ["A2"])
    await context.shows.mark_cancelled(show_id, revision=2)

    await pay(kafka, booking)

    assert await db_status(db, booking["id"]) == ("CANCELLED", ["RELEASED"])
    assert await free_in_redis(redis, show_id, ["A2"])
    assert await kafka.read(BOOKING_CONFIRMED, booking["id"]) == []
    assert await announced(kafka, booking["id"]) == [(CANCELLED_WITH_SHOW, True)]
    assert await refund_reasons(kafka, booking["id"]) == [CANCELLED_WITH_SHOW]


async def test_a_show_with_more_bookings_than_one_batch_is_cancelled_batch_after_batch(
    buyers: Buyers, kafka: KafkaProbe, redis: Redis, db: asyncpg.Connection, show_id: str, monkeypatch: Any
) -> None:
    monkeypatch.setattr("booking.service.cancelling.SHOW_BATCH", 2)
    bookings = [await buyers.book(f"crowd-{n}", show_id, [seat]) for n, seat in enumerate(SEATS[:5])]

    await cancel_show(kafka, show_id)

    assert [(await db_status(db, b["id"]))[0] for b in bookings] == ["CANCELLED"] * 5
    assert await free_in_redis(redis, show_id, SEATS[:5])
    assert [len(await announced(kafka, b["id"])) for b in bookings] == [1] * 5


async def test_keys_a_lost_hold_change_left_behind_are_released_by_the_reconciliation(
    buyers: Buyers,
    show_id: str,
    kafka: KafkaProbe,
    redis: Redis,
    db: asyncpg.Connection,
    context: BookingContext,
) -> None:
    sold = await buyers.book("sold-then-cancelled", show_id, ["A1"])
    await pay(kafka, sold)
    held = await buyers.book("held-then-cancelled", show_id, ["A2"])
    live = await buyers.book("still-holding", show_id, ["A3"])
    assert await redis.get(seat_key(show_id, "A1")) == f"sold:{sold['id']}"
    # Both end in PostgreSQL as a committed cancellation does, but Redis never hears of it (a crash
    # between the commit and the hold change).
    await db.execute(
        "UPDATE bookings SET status = 'CANCELLED', updated_at = now() - interval '1 minute' "
        "WHERE id = ANY($1)",
        [uuid.UUID(sold["id"]), uuid.UUID(held["id"])],
    )
    await db.execute(
        "UPDATE booking_seats SET status = 'RELEASED' WHERE booking_id = ANY($1)",
        [uuid.UUID(sold["id"]), uuid.UUID(held["id"])],
    )
    reconciliation = HoldReconciliation(context, now=datetime.now(UTC), settled=timedelta(seconds=1))

    assert await reconciliation.run_once() >= 2  # these two, and what earlier tests ended

    assert await redis.get(seat_key(show_id, "A1")) is None
    assert await redis.get(seat_key(show_id, "A2")) is None
    assert await redis.get(seat_key(show_id, "A3")) == live["id"]  # a live hold is never touched
    rebooked = await buyers.book("next-buyer", show_id, ["A1", "A2"])
    assert rebooked["seats"] == ["A1", "A2"]

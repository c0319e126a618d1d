"""Booking outcomes become e-mails over real SMTP: exactly one per event, whatever Kafka redelivers."""

from typing import Any

import asyncpg
import httpx
import pytest

from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
)

pytestmark = pytest.mark.integration


async def test_a_confirmation_delivered_twice_sends_one_email(
    kafka: Any, mailbox: Any, db: asyncpg.Connection, outcome: Any
) -> None:
    confirmed = outcome(BookingConfirmed)

    await kafka.publish(BOOKING_CONFIRMED, confirmed, key=confirmed.booking_id)
    await kafka.publish(BOOKING_CONFIRMED, confirmed, key=confirmed.booking_id)
    await kafka.settled()

    (email,) = await mailbox.wait_for(confirmed.user_email)
    assert email["MessageID"] == f"{confirmed.event_id}@tickethub.local"
    assert confirmed.booking_id in email["Subject"]
    assert "confirmed" in email["Subject"].lower()
    body = (await mailbox.message(email["ID"]))["Text"]
    for fact in (confirmed.booking_id, "The Long Night", "C7, C8", "640.00 INR"):
        assert fact in body
    rows = await db.fetch("SELECT * FROM notifications WHERE booking_id = $1", confirmed.booking_id)
    assert [(r["event_id"], r["kind"], r["recipient"]) for r in rows] == [
        (confirmed.event_id, "CONFIRMED", confirmed.user_email)
    ]


async def test_a_cancellation_names_the_reason(kafka: Any, mailbox: Any, outcome: Any) -> None:
    cancelled = outcome(BookingCancelled, reason="payment declined: card_declined")

    await kafka.publish(BOOKING_CANCELLED, cancelled, key=cancelled.booking_id)
    await kafka.settled()

    (email,) = await mailbox.wait_for(cancelled.user_email)
    assert "cancelled" in email["Subject"].lower()
    body = (await mailbox.message(email["ID"]))["Text"]
    assert "payment declined: card_declined" in body
    assert cancelled.booking_id in body


async def test_an_expiry_is_announced(kafka: Any, mailbox: Any, outcome: Any) -> None:
    expired = outcome(BookingExpired)

    await kafka.publish(BOOKING_EXPIRED, expired, key=expired.booking_id)
    await kafka.settled()

    (email,) = await mailbox.wait_for(expired.user_email)
    assert "expired" in email["Subject"].lower()
    assert email["From"]["Address"] == "no-reply@tickethub.local"


async def test_each_outcome_of_one_booking_gets_its_own_email(kafka: Any, mailbox: Any, outcome: Any) -> None:
    confirmed = outcome(BookingConfirmed)
    cancelled = BookingCancelled(
        **confirmed.model_dump(exclude={"event_id", "occurred_at"}), reason="by user"
    )

    await kafka.publish(BOOKING_CONFIRMED, confirmed, key=confirmed.booking_id)
    await kafka.publish(BOOKING_CANCELLED, cancelled, key=confirmed.booking_id)
    await kafka.settled()

    emails = await mailbox.wait_for(confirmed.user_email, count=2)
    assert len(emails) == 2
    assert {e["MessageID"] for e in emails} == {
        f"{confirmed.event_id}@tickethub.local",
        f"{cancelled.event_id}@tickethub.local",
    }


async def test_the_inbox_keeps_its_consumer_names(kafka: Any, db: asyncpg.Connection, outcome: Any) -> None:
    """Running systems hold these names in their inbox tables: they stay as first deployed."""
    published = [
        (BOOKING_CONFIRMED, outcome(BookingConfirmed), "notification:booking.confirmed.v1"),
        (BOOKING_CANCELLED, outcome(BookingCancelled, reason="by user"), "notification:booking.cancelled.v1"),
        (BOOKING_EXPIRED, outcome(BookingExpired), "notification:booking.expired.v1"),
    ]
    for topic, event, _ in published:
        await kafka.publish(topic, event, key=event.booking_id)
    await kafka.settled()

    for _, event, consumer in published:
        keys = await db.fetch(
            "SELECT message_key FROM inbox WHERE message_key LIKE $1", f"%:{event.event_id}"
        )
        assert [row["message_key"] for row in keys] == [f"{consumer}:{event.event_id}"]


async def test_readiness_checks_postgres_and_smtp(client: httpx.AsyncClient) -> None:
    assert (await client.get("/livez")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"postgres": "ok", "smtp": "ok"}

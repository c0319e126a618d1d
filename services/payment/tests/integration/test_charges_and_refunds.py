"""The payment saga steps over real Kafka and PostgreSQL: one charge per booking, one refund per
payment, whatever Kafka redelivers and however often booking asks."""

import uuid
from typing import Any

import asyncpg
import pytest

from tickethub.contracts import (
    BOOKING_REQUESTED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    REFUND_REQUESTED,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
    RefundRequested,
)

Kafka = Any  # the `kafka` fixture (tickethub.testing.KafkaProbe)

pytestmark = pytest.mark.integration


async def payments_of(db: asyncpg.Connection, booking_id: str) -> list[asyncpg.Record]:
    return await db.fetch("SELECT * FROM payments WHERE booking_id = $1", booking_id)


async def test_a_requested_booking_is_charged_once_and_announced_once(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested(amount="750.00")

    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()

    succeeded = await kafka.read(PAYMENT_SUCCEEDED, request.booking_id)
    assert len(succeeded) == 1
    event = succeeded[0]
    assert isinstance(event, PaymentSucceeded)
    (payment,) = await payments_of(db, request.booking_id)
    assert (event.payment_id, event.amount, event.currency) == (str(payment["id"]), request.amount, "INR")
    assert payment["status"] == "CHARGED"
    assert payment["user_id"] == request.user_id
    assert await kafka.read(PAYMENT_FAILED, request.booking_id) == []


async def test_the_same_message_twice_charges_and_announces_once(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested()

    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()

    assert len(await payments_of(db, request.booking_id)) == 1
    assert len(await kafka.read(PAYMENT_SUCCEEDED, request.booking_id)) == 1


async def test_a_second_request_for_the_same_booking_does_not_charge_again(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    first = booking_requested()
    again = first.model_copy(update={"event_id": uuid.uuid4()})

    await kafka.publish(BOOKING_REQUESTED, first, key=first.booking_id)
    await kafka.settled()
    (charged,) = await payments_of(db, first.booking_id)
    await kafka.publish(BOOKING_REQUESTED, again, key=first.booking_id)
    await kafka.settled()

    (still,) = await payments_of(db, first.booking_id)
    assert dict(still) == dict(charged)  # one charge, untouched
    announced = await kafka.read(PAYMENT_SUCCEEDED, first.booking_id)
    # The outcome is re-announced under its original event id: booking's inbox sees one event.
    assert {event.event_id for event in announced} == {announced[0].event_id}
    assert len(announced) == 2


async def test_the_decline_token_fails_the_payment(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested(token="tok_decline")

    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()

    (failed,) = await kafka.read(PAYMENT_FAILED, request.booking_id)
    assert isinstance(failed, PaymentFailed)
    assert failed.reason == "card_declined"
    assert await kafka.read(PAYMENT_SUCCEEDED, request.booking_id) == []
    (payment,) = await payments_of(db, request.booking_id)
    assert (payment["status"], payment["reason"]) == ("DECLINED", "card_declined")


async def test_a_refund_request_refunds_once_even_when_delivered_twice(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested(amount="300.00")
    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()
    refund = RefundRequested(booking_id=request.booking_id, reason="paid after the hold expired")

    await kafka.publish(REFUND_REQUESTED, refund, key=request.booking_id)
    await kafka.publish(REFUND_REQUESTED, refund, key=request.booking_id)
    await kafka.settled()

    (refunded,) = await kafka.read(PAYMENT_REFUNDED, request.booking_id)
    assert isinstance(refunded, PaymentRefunded)
    (payment,) = await payments_of(db, request.booking_id)
    assert (refunded.payment_id, refunded.amount) == (str(payment["id"]), payment["amount"])
    assert payment["status"] == "REFUNDED"
    assert payment["refunded_at"] is not None
    refunds = await db.fetch("SELECT * FROM refunds WHERE payment_id = $1", payment["id"])
    assert [r["reason"] for r in refunds] == ["paid after the hold expired"]


async def test_a_repeated_refund_request_does_not_refund_again(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested()
    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()  # topics are not ordered with each other: charge first, then refund
    await kafka.publish(
        REFUND_REQUESTED, RefundRequested(booking_id=request.booking_id, reason="one"), key=request.booking_id
    )
    await kafka.settled()

    await kafka.publish(
        REFUND_REQUESTED, RefundRequested(booking_id=request.booking_id, reason="two"), key=request.booking_id
    )
    await kafka.settled()

    announced = await kafka.read(PAYMENT_REFUNDED, request.booking_id)
    assert len(announced) == 2  # re-announced under the same event id: one refund to booking's inbox
    assert {event.event_id for event in announced} == {announced[0].event_id}
    (payment,) = await payments_of(db, request.booking_id)
    assert [
        r["reason"] for r in await db.fetch("SELECT reason FROM refunds WHERE payment_id = $1", payment["id"])
    ] == ["one"]


@pytest.mark.parametrize("token", [None, "tok_decline"])
async def test_a_refund_request_without_a_successful_payment_refunds_nothing(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any, token: str | None
) -> None:
    booking_id = str(uuid.uuid4())
    if token:  # a declined payment: nothing was taken
        await kafka.publish(
            BOOKING_REQUESTED, booking_requested(booking_id=booking_id, token=token), key=booking_id
        )
        await kafka.settled()

    await kafka.publish(
        REFUND_REQUESTED, RefundRequested(booking_id=booking_id, reason="cancelled"), key=booking_id
    )
    await kafka.settled()

    assert await kafka.read(PAYMENT_REFUNDED, booking_id) == []
    assert (
        await db.fetchval(
            "SELECT count(*) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.booking_id = $1",
            booking_id,
        )
        == 0
    )
    assert [p["status"] for p in await payments_of(db, booking_id)] == (["DECLINED"] if token else [])
    # Not charged yet: the request waits for a charge that may still come; declined: nothing will.
    parked = await db.fetchval("SELECT count(*) FROM early_refund_requests WHERE booking_id = $1", booking_id)
    assert parked == (0 if token else 1)

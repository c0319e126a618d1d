"""A refund requested while its booking's charge is still under way is not lost: it waits for the
charge and is honoured as soon as the charge is recorded (or dropped when the charge is declined)."""

import asyncio
import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from payment.adapters.provider import MockPaymentProvider
from payment.domain.payments import ChargeResult
from payment.service.charging import charge_booking
from payment.service.context import PaymentContext
from payment.service.refunding import refund_booking
from tickethub.contracts import (
    BOOKING_REQUESTED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    REFUND_REQUESTED,
    PaymentRefunded,
    RefundRequested,
)
from tickethub.testing import TokenIssuer

Kafka = Any  # the `kafka` fixture (tickethub.testing.KafkaProbe)

pytestmark = pytest.mark.integration


class ProviderHeldAtCharge(MockPaymentProvider):
    """The mock provider, but each charge waits at the provider until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.charging = asyncio.Event()
        self.answer = asyncio.Event()

    async def charge(self, *, key: str, amount: Decimal, currency: str, token: str | None) -> ChargeResult:
        self.charging.set()
        await self.answer.wait()
        return await super().charge(key=key, amount=amount, currency=currency, token=token)


async def parked(db: asyncpg.Connection, booking_id: str) -> int:
    query = "SELECT count(*) FROM early_refund_requests WHERE booking_id = $1"
    count: int = await db.fetchval(query, booking_id)
    return count


async def test_a_refund_requested_during_the_charge_is_made_once_the_charge_is_recorded(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any, context: PaymentContext
) -> None:
    provider = ProviderHeldAtCharge()
    context = replace(context, provider=provider)
    request = booking_requested(amount="420.00")
    charging = asyncio.create_task(charge_booking(context, request))
    await provider.charging.wait()  # the money is moving; nothing is recorded yet

    await refund_booking(
        context, RefundRequested(booking_id=request.booking_id, reason="the show was cancelled")
    )

    assert await parked(db, request.booking_id) == 1
    assert await db.fetchval("SELECT count(*) FROM payments WHERE booking_id = $1", request.booking_id) == 0
    provider.answer.set()
    await charging
    await kafka.settled()
    payment = await db.fetchrow("SELECT * FROM payments WHERE booking_id = $1", request.booking_id)
    assert (payment["status"], payment["reason"]) == ("REFUNDED", "the show was cancelled")
    assert await parked(db, request.booking_id) == 0
    assert len(await kafka.read(PAYMENT_SUCCEEDED, request.booking_id)) == 1
    [refunded] = await kafka.read(PAYMENT_REFUNDED, request.booking_id)
    assert isinstance(refunded, PaymentRefunded)
    assert (refunded.payment_id, refunded.amount) == (str(payment["id"]), Decimal("420.00"))


async def test_a_refund_request_that_overtakes_its_booking_on_kafka_is_honoured(
    kafka: Kafka,
    db: asyncpg.Connection,
    client: httpx.AsyncClient,
    issuer: TokenIssuer,
    booking_requested: Any,
) -> None:
    user = str(uuid.uuid4())
    request = booking_requested(user_id=user, amount="250.00")
    refund = RefundRequested(booking_id=request.booking_id, reason="cancelled at your request")

    await kafka.publish(REFUND_REQUESTED, refund, key=request.booking_id)
    await kafka.settled()
    assert await parked(db, request.booking_id) == 1
    assert await kafka.read(PAYMENT_REFUNDED, request.booking_id) == []
    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.publish(REFUND_REQUESTED, refund, key=request.booking_id)  # and delivered again
    await kafka.settled()

    assert len(await kafka.read(PAYMENT_REFUNDED, request.booking_id)) == 1
    refunds = await db.fetch(
        "SELECT r.reason FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.booking_id = $1",
        request.booking_id,
    )
    assert [row["reason"] for row in refunds] == ["cancelled at your request"]
    listed = (await client.get("/payments", headers=issuer.headers(subject=user))).json()["items"]
    assert [(item["status"], item["reason"]) for item in listed] == [
        ("REFUNDED", "cancelled at your request")
    ]
    assert listed[0]["refundedAt"] is not None


async def test_a_waiting_refund_is_dropped_when_the_charge_is_declined(
    kafka: Kafka, db: asyncpg.Connection, booking_requested: Any
) -> None:
    request = booking_requested(token="tok_decline")
    refund = RefundRequested(booking_id=request.booking_id, reason="cancelled")
    await kafka.publish(REFUND_REQUESTED, refund, key=request.booking_id)
    await kafka.settled()

    await kafka.publish(BOOKING_REQUESTED, request, key=request.booking_id)
    await kafka.settled()

    assert await parked(db, request.booking_id) == 0
    status = await db.fetchval("SELECT status FROM payments WHERE booking_id = $1", request.booking_id)
    assert status == "DECLINED"
    assert await kafka.read(PAYMENT_REFUNDED, request.booking_id) == []

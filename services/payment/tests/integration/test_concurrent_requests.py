"""Two requests for one booking handled at the same moment (e.g. by two replicas during a rebalance):
the unique booking id lets one payment through and the other re-announces it."""

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from payment.adapters.provider import MockPaymentProvider
from payment.service.charging import charge_booking
from payment.service.context import PaymentContext
from tickethub.contracts import PAYMENT_SUCCEEDED

pytestmark = pytest.mark.integration


async def test_concurrent_requests_for_one_booking_make_one_payment(
    kafka: Any, db: asyncpg.Connection, booking_requested: Any, context: PaymentContext
) -> None:
    provider = MockPaymentProvider(latency_ms=50)  # both calls are in flight at the provider together
    context = replace(context, provider=provider)
    first = booking_requested()
    second = first.model_copy(update={"event_id": uuid.uuid4()})

    await asyncio.gather(
        charge_booking(context, first),
        charge_booking(context, second),
    )

    await kafka.settled()  # the outbox is drained

    payments = await db.fetch("SELECT * FROM payments WHERE booking_id = $1", first.booking_id)
    assert len(payments) == 1
    announced = await kafka.read(PAYMENT_SUCCEEDED, first.booking_id)
    assert len(announced) == 2
    assert {event.event_id for event in announced} == {announced[0].event_id}

"""Two requests for one booking handled at the same moment (e.g. by two replicas during a rebalance):
the unique booking id lets one payment through and the other re-announces it."""

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from payment.adapters.provider import MockPaymentProvider
from payment.messaging.handlers import charge_booking
from payment.store.tables import Payment
from tickethub.contracts import PAYMENT_SUCCEEDED

pytestmark = pytest.mark.integration


async def test_concurrent_requests_for_one_booking_make_one_payment(
    kafka: Any, db: asyncpg.Connection, booking_requested: Any
) -> None:
    engine = Payment._meta.db  # the app's engine, its pool started by the app's lifespan
    provider = MockPaymentProvider(latency_ms=50)  # both calls are in flight at the provider together
    first = booking_requested()
    second = first.model_copy(update={"event_id": uuid.uuid4()})

    await asyncio.gather(
        charge_booking(first, engine=engine, provider=provider),
        charge_booking(second, engine=engine, provider=provider),
    )

    await kafka.settled()  # the outbox is drained

    payments = await db.fetch("SELECT * FROM payments WHERE booking_id = $1", first.booking_id)
    assert len(payments) == 1
    announced = await kafka.read(PAYMENT_SUCCEEDED, first.booking_id)
    assert len(announced) == 2
    assert {event.event_id for event in announced} == {announced[0].event_id}

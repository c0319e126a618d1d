"""Booking's guarded transitions and its final guard, against a real migrated PostgreSQL."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from piccolo.engine.postgres import PostgresEngine

from booking.domain.errors import SeatsTaken
from booking.domain.model import BookingStatus, SeatSelection
from booking.messaging.saga import BookingSaga
from booking.store.bookings import BookingStore
from booking.store.tables import TABLES
from tickethub.db import bind_tables, make_engine
from tickethub.inbox import InboxMessage
from tickethub.outbox import OutboxMessage
from tickethub.testing import Infrastructure, migrated_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(infra: Infrastructure) -> AsyncIterator[PostgresEngine]:
    engine = make_engine(migrated_database(infra, "booking.store.piccolo_conf"))
    bind_tables(engine, (*TABLES, OutboxMessage, InboxMessage))
    await engine.start_connection_pool(min_size=1, max_size=4)
    yield engine
    await engine.close_connection_pool()


@pytest.fixture
def store(engine: PostgresEngine) -> BookingStore:
    return BookingStore(engine, show_cache_seconds=0)


async def book(
    store: BookingStore, seats: list[str], *, hold: timedelta = timedelta(minutes=10), show_id: str = "show-1"
) -> str:
    booking_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    await store.create_pending(
        booking_id=booking_id,
        user_id="u1",
        user_email="u1@example.com",
        show_id=show_id,
        selection=SeatSelection(tuple(seats), Decimal("100.00"), now + hold),
        currency="INR",
        payment_token=None,
        now=now,
    )
    return booking_id


async def outbox_topics() -> list[str]:
    return [
        row["topic"] for row in await OutboxMessage.select(OutboxMessage.topic).order_by(OutboxMessage.id)
    ]


async def test_the_partial_unique_index_exists(engine: PostgresEngine) -> None:
    [index] = await engine.run_ddl(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'booking_seats_active_seat'"
    )
    assert "UNIQUE" in index["indexdef"] and "HELD" in index["indexdef"] and "SOLD" in index["indexdef"]


async def test_a_pending_booking_is_written_with_its_event_in_one_go(store: BookingStore) -> None:
    booking_id = await book(store, ["A1", "A2"])
    record = await store.get(booking_id)
    assert record is not None and record.status is BookingStatus.PENDING
    assert record.seats == ("A1", "A2")
    rows = await OutboxMessage.select()
    assert [r["topic"] for r in rows] == ["booking.requested.v1"]
    assert json.loads(rows[0]["payload"])["booking_id"] == booking_id
    assert rows[0]["message_key"] == booking_id


async def test_the_database_refuses_a_seat_already_active_even_without_redis(store: BookingStore) -> None:
    await book(store, ["A1", "A2"])
    with pytest.raises(SeatsTaken) as refused:
        await book(store, ["A3", "A2"])
    assert refused.value.taken == ["A2"]
    assert await store.active_seats("show-1", ["A1", "A2", "A3"]) == ["A1", "A2"]  # nothing half-written


async def test_confirmation_is_guarded_and_happens_once(store: BookingStore) -> None:
    saga = BookingSaga(store)
    booking_id = await book(store, ["A1"])

    first = await saga.payment_succeeded(booking_id)
    second = await saga.payment_succeeded(booking_id)

    assert first is not None and first.sold_until is not None
    assert second is None
    record = await store.get(booking_id)
    assert record is not None and record.status is BookingStatus.CONFIRMED
    assert await store.seat_statuses("show-1") == {"A1": "SOLD"}
    assert (await outbox_topics()).count("booking.confirmed.v1") == 1


async def test_a_payment_after_the_hold_expired_never_confirms_and_is_refunded(store: BookingStore) -> None:
    saga = BookingSaga(store)
    booking_id = await book(store, ["A1"], hold=timedelta(seconds=-1))

    change = await saga.payment_succeeded(booking_id)

    record = await store.get(booking_id)
    assert record is not None and record.status is BookingStatus.EXPIRED
    assert change is not None and change.sold_until is None  # its holds are released, not sold
    assert await store.seat_statuses("show-1") == {}
    topics = await outbox_topics()
    assert "booking.confirmed.v1" not in topics
    assert topics.count("booking.refund-requested.v1") == 1
    assert topics.count("booking.expired.v1") == 1
    # The seat can be sold again, and a later refund marks the booking REFUNDED.
    await book(store, ["A1"])
    await saga.payment_refunded(booking_id)
    refunded = await store.get(booking_id)
    assert refunded is not None and refunded.status is BookingStatus.REFUNDED


async def test_a_failed_payment_cancels_once_and_frees_the_seats(store: BookingStore) -> None:
    saga = BookingSaga(store)
    booking_id = await book(store, ["A1", "A2"])
    assert await saga.payment_failed(booking_id, "declined") is not None
    assert await saga.payment_failed(booking_id, "declined") is None
    assert await store.seat_statuses("show-1") == {}
    assert (await outbox_topics()).count("booking.cancelled.v1") == 1


async def test_the_sweep_expires_only_overdue_pending_bookings(store: BookingStore) -> None:
    saga = BookingSaga(store)
    overdue = await book(store, ["A1"], hold=timedelta(seconds=-5))
    live = await book(store, ["A2"])

    changes = await saga.sweep()

    assert [change.record.id for change in changes] == [overdue]
    statuses = {b: (await store.get(b)).status for b in (overdue, live)}  # type: ignore[union-attr]
    assert statuses == {overdue: BookingStatus.EXPIRED, live: BookingStatus.PENDING}
    assert await saga.sweep() == []

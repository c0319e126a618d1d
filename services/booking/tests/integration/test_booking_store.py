"""Booking's guarded transitions and its final guard, against a real migrated PostgreSQL.

The saga's use cases are called with the events payment sends; each call is a new delivery (a new
event id), so what keeps a second one from acting twice is the guard, not the inbox.
"""

import itertools
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from piccolo.engine.postgres import PostgresEngine
from redis.asyncio import Redis

from booking.app import create_context
from booking.domain.errors import SeatsTaken
from booking.domain.lifecycle import CANCEL, TRANSITIONS, BookingStatus, SeatStatus, Transition
from booking.domain.model import BookingRecord
from booking.service import paying
from booking.service.context import BookingContext
from booking.service.placing import booking_requested
from booking.service.sweeping import expire_overdue_holds
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.tables import TABLES, Booking, BookingSeat, ShowReadModel
from tickethub.contracts import PaymentFailed, PaymentRefunded, PaymentSucceeded
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
def context(engine: PostgresEngine, settings: Settings, redis: Redis) -> BookingContext:
    return create_context(settings, engine, redis)


@pytest.fixture
def store(context: BookingContext) -> BookingStore:
    return context.bookings


async def book(
    store: BookingStore, seats: list[str], *, hold: timedelta = timedelta(minutes=10), show_id: str = "show-1"
) -> str:
    booking_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    booking = BookingRecord(
        id=booking_id,
        user_id="u1",
        user_email="u1@example.com",
        show_id=show_id,
        status=BookingStatus.PENDING,
        amount=Decimal("100.00"),
        currency="INR",
        seats=tuple(seats),
        hold_expires_at=now + hold,
        created_at=now,
    )
    await store.create_pending(
        booking, payment_token=None, idempotency_key=None, announcement=booking_requested(booking, None)
    )
    return booking_id


def paid(booking_id: str) -> PaymentSucceeded:
    return PaymentSucceeded(
        booking_id=booking_id, payment_id=str(uuid.uuid4()), amount=Decimal("100.00"), currency="INR"
    )


def refunded(booking_id: str) -> PaymentRefunded:
    return PaymentRefunded(
        booking_id=booking_id, payment_id=str(uuid.uuid4()), amount=Decimal("100.00"), currency="INR"
    )


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


async def test_confirmation_is_guarded_and_happens_once(context: BookingContext, store: BookingStore) -> None:
    booking_id = await book(store, ["A1"])

    first = await paying.confirm_paid_booking(context, paid(booking_id))
    second = await paying.confirm_paid_booking(context, paid(booking_id))

    assert first is not None and first.sold_until is not None
    assert second is None
    record = await store.get(booking_id)
    assert record is not None and record.status is BookingStatus.CONFIRMED
    assert await store.seat_statuses("show-1") == {"A1": "SOLD"}
    assert (await outbox_topics()).count("booking.confirmed.v1") == 1


async def test_a_payment_after_the_hold_expired_never_confirms_and_is_refunded(
    context: BookingContext, store: BookingStore
) -> None:
    booking_id = await book(store, ["A1"], hold=timedelta(seconds=-1))

    change = await paying.confirm_paid_booking(context, paid(booking_id))

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
    await paying.record_refund(context, refunded(booking_id))
    after_refund = await store.get(booking_id)
    assert after_refund is not None and after_refund.status is BookingStatus.REFUNDED


async def test_a_failed_payment_cancels_once_and_frees_the_seats(
    context: BookingContext, store: BookingStore
) -> None:
    booking_id = await book(store, ["A1", "A2"])

    def declined() -> PaymentFailed:
        return PaymentFailed(booking_id=booking_id, reason="declined")

    assert await paying.cancel_declined_booking(context, declined()) is not None
    assert await paying.cancel_declined_booking(context, declined()) is None
    assert await store.seat_statuses("show-1") == {}
    assert (await outbox_topics()).count("booking.cancelled.v1") == 1


async def test_the_sweep_expires_only_overdue_pending_bookings(
    context: BookingContext, store: BookingStore
) -> None:
    overdue = await book(store, ["A1"], hold=timedelta(seconds=-5))
    live = await book(store, ["A2"])

    changes = await expire_overdue_holds(context)

    assert [change.record.id for change in changes] == [overdue]
    statuses = {b: (await store.get(b)).status for b in (overdue, live)}  # type: ignore[union-attr]
    assert statuses == {overdue: BookingStatus.EXPIRED, live: BookingStatus.PENDING}
    assert await expire_overdue_holds(context) == []


# -- the state machine's table and its SQL agree --------------------------------------------------

SEATS_OF = {  # the seat rows a booking in each status has
    BookingStatus.PENDING: SeatStatus.HELD,
    BookingStatus.CONFIRMED: SeatStatus.SOLD,
    BookingStatus.CANCELLED: SeatStatus.RELEASED,
    BookingStatus.EXPIRED: SeatStatus.RELEASED,
    BookingStatus.REFUNDED: SeatStatus.RELEASED,
}


async def booking_in(
    store: BookingStore, status: BookingStatus, *, hold_live: bool, show_cancelled: bool
) -> str:
    """A booking of its own show, brought to `status` as the saga would have left it."""
    show_id = f"show-{uuid.uuid4()}"
    if show_cancelled:
        await ShowReadModel.raw(
            "INSERT INTO shows (show_id, revision, status, movie_title, starts_at, hold_seconds, prices, "
            "seat_categories, updated_at) "
            "VALUES ({}, 2, 'CANCELLED', 'Film', now(), 600, '{{}}', '{{}}', now())",
            show_id,
        )
    booking_id = await book(
        store, ["A1", "A2"], show_id=show_id, hold=timedelta(minutes=10 if hold_live else -1)
    )
    await Booking.raw("UPDATE bookings SET status = {} WHERE id = {}", str(status), uuid.UUID(booking_id))
    await BookingSeat.raw(
        "UPDATE booking_seats SET status = {} WHERE booking_id = {}",
        str(SEATS_OF[status]),
        uuid.UUID(booking_id),
    )
    return booking_id


async def seat_rows(booking_id: str) -> list[str]:
    rows = await BookingSeat.select(BookingSeat.status).where(BookingSeat.booking_id == uuid.UUID(booking_id))
    return sorted(row["status"] for row in rows)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda transition: transition.name)
async def test_each_transition_moves_exactly_the_bookings_its_table_row_allows(
    store: BookingStore, transition: Transition
) -> None:
    cases = list(itertools.product(BookingStatus, (True, False), (True, False)))
    for status, hold_live, show_cancelled in cases:
        booking_id = await booking_in(store, status, hold_live=hold_live, show_cancelled=show_cancelled)
        seats_before = await seat_rows(booking_id)

        moved = await store.move(transition, booking_id)

        case = f"{transition.name} from {status}, hold live {hold_live}, show cancelled {show_cancelled}"
        record = await store.get(booking_id)
        assert record is not None
        if transition.allows(status, hold_live=hold_live, show_cancelled=show_cancelled):
            assert moved is not None and moved.previous is status, case
            assert moved.record.status is record.status is transition.target, case
            assert await seat_rows(booking_id) == sorted(
                str(transition.seats.get(SeatStatus(seat), SeatStatus(seat))) for seat in seats_before
            ), case
        else:
            assert moved is None, case
            assert record.status is status, case
            assert await seat_rows(booking_id) == seats_before, case


async def test_a_show_wide_move_takes_every_booking_of_the_show_its_guards_allow(store: BookingStore) -> None:
    show_id = f"show-{uuid.uuid4()}"
    by_status = {}
    for seat, status in zip(("A1", "A2", "A3", "A4", "A5"), BookingStatus, strict=True):
        booking_id = await book(store, [seat], show_id=show_id)
        await Booking.raw("UPDATE bookings SET status = {} WHERE id = {}", str(status), uuid.UUID(booking_id))
        by_status[booking_id] = status

    moved = await store.move_show_bookings(CANCEL, show_id, limit=10)

    allowed = {
        b for b, status in by_status.items() if CANCEL.allows(status, hold_live=True, show_cancelled=False)
    }
    assert {m.record.id for m in moved} == allowed
    assert {m.previous for m in moved} == set(CANCEL.sources)

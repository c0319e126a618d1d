"""When a buyer may cancel a booking (no I/O)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.domain.errors import BookingNotCancellable
from booking.domain.lifecycle import BookingStatus
from booking.domain.model import BookingRecord, ShowView, needs_cancelling

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def booking(status: BookingStatus) -> BookingRecord:
    return BookingRecord(
        id="b1",
        user_id="u1",
        user_email="u1@example.com",
        show_id="s1",
        status=status,
        amount=Decimal("250.00"),
        currency="INR",
        seats=("A1",),
        hold_expires_at=NOW + timedelta(minutes=10),
        created_at=NOW,
    )


def show(starts_at: datetime) -> ShowView:
    return ShowView(
        show_id="s1",
        revision=1,
        status="SCHEDULED",
        movie_title="Film",
        starts_at=starts_at,
        hold_seconds=600,
        prices={"STANDARD": Decimal("250.00")},
        seat_categories={"A1": "STANDARD"},
    )


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.CONFIRMED])
def test_an_active_booking_of_a_show_to_come_is_cancelled(status: BookingStatus) -> None:
    assert needs_cancelling(booking(status), show(NOW + timedelta(hours=1)), now=NOW)


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REFUNDED])
def test_a_cancelled_booking_is_answered_as_it_is_even_after_the_show_started(status: BookingStatus) -> None:
    assert not needs_cancelling(booking(status), show(NOW - timedelta(hours=1)), now=NOW)


def test_an_expired_booking_cannot_be_cancelled() -> None:
    with pytest.raises(BookingNotCancellable, match="expired"):
        needs_cancelling(booking(BookingStatus.EXPIRED), show(NOW + timedelta(hours=1)), now=NOW)


@pytest.mark.parametrize("starts_in", [timedelta(0), -timedelta(minutes=5)])
def test_nothing_is_cancelled_once_the_show_has_started(starts_in: timedelta) -> None:
    with pytest.raises(BookingNotCancellable, match="started"):
        needs_cancelling(booking(BookingStatus.CONFIRMED), show(NOW + starts_in), now=NOW)

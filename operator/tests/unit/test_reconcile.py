"""From spec to catalog's request, and from the services' answers to a Show's phase and Ready condition."""

from datetime import UTC, datetime, timedelta

import pytest

from show_operator.conditions import READY
from show_operator.model import SeatCounts
from show_operator.reconcile import (
    Phase,
    catalog_request,
    changed_fields,
    readiness,
    seats_in,
    show_phase,
    starts_at,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
SPEC = {
    "movieId": "6d1c9a3e-0000-4000-8000-000000000001",
    "theatreId": "6d1c9a3e-0000-4000-8000-000000000002",
    "hallId": "6d1c9a3e-0000-4000-8000-000000000003",
    "startsAt": "2026-11-26T18:30:00Z",
    "prices": [{"category": "STANDARD", "price": "250.00"}, {"category": "PREMIUM", "price": "400"}],
    "holdSeconds": 300,
}


def seats(*, total: int = 24, available: int = 24, held: int = 0, sold: int = 0) -> SeatCounts:
    return SeatCounts(total=total, available=available, held=held, sold=sold)


def test_the_catalog_request_maps_prices_by_category_and_leaves_the_theatre_to_the_hall() -> None:
    assert catalog_request(SPEC) == {
        "movieId": SPEC["movieId"],
        "hallId": SPEC["hallId"],
        "startsAt": "2026-11-26T18:30:00Z",
        "prices": {"STANDARD": "250.00", "PREMIUM": "400"},
        "holdSeconds": 300,
    }


def test_a_spec_without_hold_seconds_asks_for_the_default_hold() -> None:
    spec = {key: value for key, value in SPEC.items() if key != "holdSeconds"}
    assert catalog_request(spec)["holdSeconds"] == 600


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-26T18:30:00Z", datetime(2026, 11, 26, 18, 30, tzinfo=UTC)),
        ("2026-11-26T18:30:00+05:30", datetime(2026, 11, 26, 13, 0, tzinfo=UTC)),
        ("2026-11-26T18:30:00.250Z", datetime(2026, 11, 26, 18, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_starts_at_reads_rfc3339_with_its_offset(value: str, expected: datetime) -> None:
    assert starts_at({"startsAt": value}) == expected


@pytest.mark.parametrize(
    ("counts", "starts", "options", "expected"),
    [
        (None, LATER, {}, Phase.PENDING),
        (seats(available=3, held=1, sold=20), LATER, {}, Phase.ON_SALE),
        (seats(available=0, held=4, sold=20), LATER, {}, Phase.SOLD_OUT),
        (seats(available=0, sold=24), NOW, {}, Phase.STARTED),
        (None, NOW - timedelta(minutes=1), {}, Phase.STARTED),
        (seats(), LATER, {"rejected": True}, Phase.REJECTED),
        (seats(), NOW, {"rejected": True, "deleting": True}, Phase.CANCELLING),
    ],
)
def test_the_phase_follows_deletion_rejection_the_clock_and_the_seats(
    counts: SeatCounts | None, starts: datetime, options: dict[str, bool], expected: Phase
) -> None:
    assert show_phase(starts=starts, now=NOW, seats=counts, **options) is expected


@pytest.mark.parametrize(
    ("phase", "counts", "status", "reason", "message"),
    [
        (Phase.PENDING, None, False, "WaitingForBooking", "booking has not reported it"),
        (Phase.ON_SALE, seats(available=5), True, "OnSale", "5 of 24 seats available"),
        (Phase.SOLD_OUT, seats(available=0, held=4, sold=20), True, "SoldOut", "20 sold, 4 held"),
        (Phase.STARTED, seats(available=2, sold=22), True, "Started", "22 of 24 seats sold"),
    ],
)
def test_ready_says_whether_booking_sells_the_show(
    phase: Phase, counts: SeatCounts | None, status: bool, reason: str, message: str
) -> None:
    ready = readiness(phase, counts)
    assert (ready.type, ready.status, ready.reason) == (READY, status, reason)
    assert message in ready.message


def test_seats_are_read_back_from_a_status_only_when_complete() -> None:
    assert seats_in({"seats": {"total": 24, "available": 20, "held": 3, "sold": 1}}) == seats(
        available=20, held=3, sold=1
    )
    assert seats_in({"seats": {"total": 24}}) is None
    assert seats_in({}) is None


def test_only_changed_fields_are_patched() -> None:
    counts = {"total": 24, "available": 20, "held": 3, "sold": 1}
    current = {"phase": "OnSale", "seats": counts}
    assert changed_fields(current, {"phase": "OnSale", "seats": dict(counts)}) == {}
    assert changed_fields(current, {"phase": "SoldOut", "seats": counts}) == {"phase": "SoldOut"}

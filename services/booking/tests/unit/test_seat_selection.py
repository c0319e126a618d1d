"""Seat selection and pricing rules (no I/O)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from booking.domain.errors import InvalidSeatSelection, ShowNotBookable
from booking.domain.model import ShowView, select_seats

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def show(**changes: object) -> ShowView:
    fields: dict[str, object] = {
        "show_id": "s1",
        "revision": 1,
        "status": "SCHEDULED",
        "movie_title": "Film",
        "starts_at": NOW + timedelta(days=1),
        "hold_seconds": 600,
        "prices": {"STANDARD": Decimal("250.00"), "PREMIUM": Decimal("400.50")},
        "seat_categories": {"A1": "STANDARD", "A2": "STANDARD", "B1": "PREMIUM"},
    }
    fields.update(changes)
    return ShowView(**fields)  # type: ignore[arg-type]


def test_prices_each_seat_by_its_category_and_sets_the_hold_expiry() -> None:
    selection = select_seats(show(), ["A1", "B1"], now=NOW, max_seats=10)
    assert selection.amount == Decimal("650.50")
    assert selection.hold_expires_at == NOW + timedelta(seconds=600)
    assert selection.seats == ("A1", "B1")


@pytest.mark.parametrize(
    ("seats", "detail_field", "listed"),
    [
        ([], None, None),
        (["A1", "A1"], "duplicateSeats", ["A1"]),
        (["Z9", "Y1"], "unknownSeats", ["Y1", "Z9"]),
        (["A1", "A2", "B1"], None, None),  # over the cap of 2 below
    ],
)
def test_refuses_bad_selections_naming_the_seats(
    seats: list[str], detail_field: str | None, listed: list[str] | None
) -> None:
    with pytest.raises(InvalidSeatSelection) as refused:
        select_seats(show(), seats, now=NOW, max_seats=2)
    assert refused.value.status == 422
    assert [error["field"] for error in refused.value.extra["errors"]] == ["seats"]
    if detail_field:
        assert refused.value.extra[detail_field] == listed


@pytest.mark.parametrize("changes", [{"status": "CANCELLED"}, {"starts_at": NOW - timedelta(minutes=1)}])
def test_a_cancelled_or_started_show_is_not_bookable(changes: dict[str, object]) -> None:
    with pytest.raises(ShowNotBookable):
        select_seats(show(**changes), ["A1"], now=NOW, max_seats=10)

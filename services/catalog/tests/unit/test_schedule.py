"""Scheduling: a show keeps its hall until its end plus the cleaning gap; requests are validated."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from catalog.domain.errors import (
    HallHasNoLayout,
    InvalidPrices,
    InvalidSchedule,
    ShowAlreadyCancelled,
    ShowAlreadyStarted,
    ShowMovieOrHallChanged,
)
from catalog.domain.layout import expand_layout
from catalog.domain.model import Movie, RowSpec, SeatLayout, Show, ShowRequest, ShowStatus
from catalog.domain.schedule import (
    CLEANING_GAP,
    DEFAULT_HOLD_SECONDS,
    Slot,
    changes_show,
    plan_show,
    refuse_unchangeable,
    utc_day,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
MOVIE = Movie(id="m", title="Film", duration_minutes=120, language=None, genre=None, description=None)
LAYOUT = expand_layout("h", [RowSpec("A", 10, "STANDARD"), RowSpec("B", 5, "VIP")])


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def request(starts_at: datetime = NOW + timedelta(days=1), **changes: object) -> ShowRequest:
    values: dict[str, object] = {
        "movie_id": "m",
        "hall_id": "h",
        "starts_at": starts_at,
        "prices": {"STANDARD": "250.00", "VIP": "400"},
        "hold_seconds": None,
    }
    values.update(changes)
    return ShowRequest(**values)  # type: ignore[arg-type]


def test_slot_runs_for_the_movie_and_keeps_the_hall_for_cleaning() -> None:
    slot = Slot.of(at(0), 120)

    assert slot.ends_at == at(2)
    assert slot.hall_released_at == at(2) + CLEANING_GAP == at(2.25)


@pytest.mark.parametrize(
    ("other_start", "overlaps"),
    [
        (at(-2.25), False),  # the earlier show's cleaning ends exactly when ours starts
        (at(-2.2), True),  # ... or during our first minutes
        (at(1), True),  # starts while ours runs
        (at(2), True),  # starts at our end, during our cleaning
        (at(2.2), True),  # still during our cleaning
        (at(2.25), False),  # starts exactly when our cleaning ends
        (at(5), False),
        (at(0), True),  # same start
    ],
)
def test_overlap_is_half_open_and_includes_the_cleaning_gap(other_start: datetime, overlaps: bool) -> None:
    ours, theirs = Slot.of(at(0), 120), Slot.of(other_start, 120)

    assert ours.overlaps(theirs) is overlaps
    assert theirs.overlaps(ours) is overlaps


def test_a_short_show_inside_a_long_one_overlaps() -> None:
    assert Slot.of(at(0), 300).overlaps(Slot.of(at(1), 10))


def test_plan_show_prices_every_category_and_defaults_the_hold() -> None:
    plan = plan_show(request(), MOVIE, LAYOUT, NOW)

    assert plan.prices == {"STANDARD": Decimal("250.00"), "VIP": Decimal("400.00")}
    assert plan.hold_seconds == DEFAULT_HOLD_SECONDS == 600
    assert plan.seat_count == 15
    assert plan.slot == Slot.of(NOW + timedelta(days=1), 120)


def test_plan_show_stores_times_in_utc() -> None:
    local = datetime(2030, 1, 2, 20, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))

    plan = plan_show(request(local), MOVIE, LAYOUT, NOW)

    assert plan.slot.starts_at == local
    assert plan.slot.starts_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("starts_at", [NOW, NOW - timedelta(minutes=1)])
def test_a_show_must_start_in_the_future(starts_at: datetime) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        plan_show(request(starts_at), MOVIE, LAYOUT, NOW)

    assert caught.value.extra["errors"][0]["field"] == "startsAt"


@pytest.mark.parametrize("hold", [59, 3601, 0])
def test_hold_seconds_are_bounded(hold: int) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        plan_show(request(hold_seconds=hold), MOVIE, LAYOUT, NOW)

    assert caught.value.extra["errors"][0]["field"] == "holdSeconds"


def test_prices_are_checked_against_the_layout() -> None:
    with pytest.raises(InvalidPrices):
        plan_show(request(prices={"STANDARD": "250.00"}), MOVIE, LAYOUT, NOW)


def test_a_hall_without_seats_cannot_have_shows() -> None:
    with pytest.raises(HallHasNoLayout) as caught:
        plan_show(request(), MOVIE, SeatLayout(hall_id="h", seats=()), NOW)

    assert caught.value.status == 409


def test_utc_day_is_half_open() -> None:
    assert utc_day(date(2030, 3, 1)) == (datetime(2030, 3, 1, tzinfo=UTC), datetime(2030, 3, 2, tzinfo=UTC))


def stored(plan_request: ShowRequest, **changes: object) -> Show:
    """The show catalog stored for `plan_request`, with `changes`."""
    plan = plan_show(plan_request, MOVIE, LAYOUT, NOW)
    values: dict[str, object] = {
        "id": "s",
        "movie_id": "m",
        "movie_title": MOVIE.title,
        "hall_id": "h",
        "hall_name": "Hall 1",
        "theatre_id": "t",
        "theatre_name": "Odeon",
        "city": "Pune",
        "starts_at": plan.slot.starts_at,
        "ends_at": plan.slot.ends_at,
        "prices": plan.prices,
        "hold_seconds": plan.hold_seconds,
        "status": ShowStatus.SCHEDULED,
        "seat_count": plan.seat_count,
        "revision": 1,
    }
    values.update(changes)
    return Show(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({"hold_seconds": 300, "prices": {"STANDARD": "250", "VIP": "400.0"}}, False),  # the same amounts
        ({}, True),  # the hold back to its default
        ({"hold_seconds": 300, "starts_at": at(30)}, True),
        ({"hold_seconds": 300, "prices": {"STANDARD": "251", "VIP": "400"}}, True),
    ],
)
def test_only_another_value_changes_a_show(changes: dict[str, object], changed: bool) -> None:
    show = stored(request(hold_seconds=300))

    assert changes_show(plan_show(request(**changes), MOVIE, LAYOUT, NOW), show) is changed


@pytest.mark.parametrize(
    ("movie_id", "hall_id", "fields"),
    [("m2", "h", ["movieId"]), ("m", "h2", ["hallId"]), ("m2", "h2", ["movieId", "hallId"])],
)
def test_a_shows_movie_and_hall_never_change(movie_id: str, hall_id: str, fields: list[str]) -> None:
    with pytest.raises(ShowMovieOrHallChanged) as caught:
        refuse_unchangeable(stored(request()), movie_id=movie_id, hall_id=hall_id, now=NOW)

    assert caught.value.extra["fields"] == fields


def test_a_cancelled_or_started_show_cannot_change() -> None:
    with pytest.raises(ShowAlreadyCancelled):
        refuse_unchangeable(
            stored(request(), status=ShowStatus.CANCELLED), movie_id="m", hall_id="h", now=NOW
        )
    with pytest.raises(ShowAlreadyStarted):
        refuse_unchangeable(stored(request()), movie_id="m", hall_id="h", now=at(24))
    refuse_unchangeable(stored(request()), movie_id="m", hall_id="h", now=at(23.9))  # not yet: allowed

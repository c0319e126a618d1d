"""The webhook's rules: a start in the future when created or moved, prices that fit the hall's layout."""

from datetime import UTC, datetime

import pytest

from show_operator.admission import price_problem, prices_changed, start_time_problem

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FUTURE = {"startsAt": "2026-11-24T12:00:01Z", "prices": [{"category": "STANDARD", "price": "10"}]}
PAST = {"startsAt": "2026-11-24T12:00:00Z", "prices": [{"category": "STANDARD", "price": "10"}]}


def test_a_show_created_with_a_start_in_the_future_passes() -> None:
    assert start_time_problem(operation="CREATE", spec=FUTURE, old_spec=None, now=NOW) is None


def test_a_show_created_starting_now_or_earlier_is_refused_naming_the_time() -> None:
    problem = start_time_problem(operation="CREATE", spec=PAST, old_spec=None, now=NOW)
    assert problem == "startsAt 2026-11-24T12:00:00Z is not in the future"


def test_moving_a_show_into_the_past_is_refused() -> None:
    assert start_time_problem(operation="UPDATE", spec=PAST, old_spec=FUTURE, now=NOW) is not None


def test_an_update_that_keeps_the_start_passes_even_after_the_show_started() -> None:
    # The operator's own finalizer and annotation updates must never be refused once a show runs.
    changed_prices = {**PAST, "prices": [{"category": "STANDARD", "price": "12"}]}
    assert start_time_problem(operation="UPDATE", spec=changed_prices, old_spec=PAST, now=NOW) is None


@pytest.mark.parametrize(
    ("operation", "old_spec", "spec", "expected"),
    [
        ("CREATE", None, FUTURE, True),
        ("UPDATE", FUTURE, FUTURE, False),
        ("UPDATE", FUTURE, {**FUTURE, "prices": [{"category": "STANDARD", "price": "11"}]}, True),
        ("UPDATE", FUTURE, {**FUTURE, "startsAt": "2026-12-01T00:00:00Z"}, False),
        ("DELETE", FUTURE, FUTURE, False),
    ],
)
def test_prices_are_checked_when_created_or_changed(
    operation: str, old_spec: dict[str, object] | None, spec: dict[str, object], expected: bool
) -> None:
    assert prices_changed(operation=operation, spec=spec, old_spec=old_spec) is expected


def test_prices_covering_exactly_the_halls_categories_pass() -> None:
    prices = [{"category": "STANDARD", "price": "10"}, {"category": "PREMIUM", "price": "20"}]
    assert price_problem(prices, {"PREMIUM", "STANDARD"}) is None


def test_missing_and_unknown_categories_are_named() -> None:
    prices = [{"category": "STANDARD", "price": "10"}, {"category": "GOLD", "price": "50"}]
    problem = price_problem(prices, {"STANDARD", "PREMIUM", "VIP"})
    assert problem == (
        "prices miss seat categories of the hall: PREMIUM, VIP; "
        "prices name seat categories the hall does not have: GOLD"
    )

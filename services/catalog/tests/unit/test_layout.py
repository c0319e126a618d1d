"""Seat layouts: rows expand to seat ids `<row><number>`, and bad rows are named precisely."""

import pytest

from catalog.domain.errors import InvalidLayout
from catalog.domain.layout import expand_layout
from catalog.domain.model import RowSpec


def fields(error: InvalidLayout) -> list[str]:
    return [entry["field"] for entry in error.extra["errors"]]


def test_a_row_of_twelve_is_a1_to_a12() -> None:
    layout = expand_layout("h", [RowSpec("A", 12, "STANDARD")])

    assert [seat.seat_id for seat in layout.seats] == [f"A{n}" for n in range(1, 13)]
    assert {seat.row for seat in layout.seats} == {"A"}
    assert [seat.number for seat in layout.seats] == list(range(1, 13))


def test_rows_keep_their_order_and_categories() -> None:
    layout = expand_layout(
        "h", [RowSpec("B", 2, "STANDARD"), RowSpec("A", 1, "STANDARD"), RowSpec("VIP", 2, "PREMIUM_PLUS")]
    )

    assert [(s.seat_id, s.category) for s in layout.seats] == [
        ("B1", "STANDARD"),
        ("B2", "STANDARD"),
        ("A1", "STANDARD"),
        ("VIP1", "PREMIUM_PLUS"),
        ("VIP2", "PREMIUM_PLUS"),
    ]
    assert layout.categories == ("STANDARD", "PREMIUM_PLUS")


def test_a_hundred_rows_of_a_hundred_make_ten_thousand_seats() -> None:
    rows = [RowSpec(chr(65 + index // 26) + chr(65 + index % 26), 100, "STANDARD") for index in range(100)]

    assert len(expand_layout("h", rows).seats) == 10_000


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (RowSpec("a", 1, "STANDARD"), "rows[0].name"),
        (RowSpec("ABCD", 1, "STANDARD"), "rows[0].name"),
        (RowSpec("", 1, "STANDARD"), "rows[0].name"),
        (RowSpec("A", 0, "STANDARD"), "rows[0].count"),
        (RowSpec("A", 101, "STANDARD"), "rows[0].count"),
        (RowSpec("A", 1, "standard"), "rows[0].category"),
        (RowSpec("A", 1, "VIP-1"), "rows[0].category"),
        (RowSpec("A", 1, "X" * 33), "rows[0].category"),
        (RowSpec("A", 1, ""), "rows[0].category"),
    ],
)
def test_invalid_rows_are_named(row: RowSpec, field: str) -> None:
    with pytest.raises(InvalidLayout) as caught:
        expand_layout("h", [row])

    assert fields(caught.value) == [field]
    assert caught.value.status == 422


def test_row_names_are_unique() -> None:
    with pytest.raises(InvalidLayout) as caught:
        expand_layout("h", [RowSpec("A", 2, "STANDARD"), RowSpec("B", 2, "STANDARD"), RowSpec("A", 3, "VIP")])

    assert fields(caught.value) == ["rows[2].name"]


def test_rows_whose_seat_ids_would_collide_are_refused() -> None:
    # Row "A" seat 11 and row "A1" seat 1 would both be "A11".
    with pytest.raises(InvalidLayout) as caught:
        expand_layout("h", [RowSpec("A", 12, "STANDARD"), RowSpec("A1", 2, "STANDARD")])

    assert fields(caught.value) == ["rows[1].name"]
    assert "A11" in caught.value.extra["errors"][0]["message"]


def test_numbered_row_names_that_collide_are_reported() -> None:
    # R1 seat 11 is R11 seat 1 (and R1 seat 12 is R11 seat 2); R12's seats R121.. have no twin.
    with pytest.raises(InvalidLayout) as caught:
        expand_layout("h", [RowSpec(f"R{n}", 12, "STANDARD") for n in range(1, 13)])

    assert fields(caught.value) == ["rows[10].name"]


def test_an_empty_layout_is_refused() -> None:
    with pytest.raises(InvalidLayout) as caught:
        expand_layout("h", [])

    assert fields(caught.value) == ["rows"]

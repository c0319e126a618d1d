"""Seat layouts: rows of numbered seats, each row in one price category.

A seat's id is its row name followed by its number (`A1`..`A12`); that id is what buyers and the
booking service use, so every id of a hall must be unique.
"""

import re
from collections.abc import Sequence

from catalog.domain.errors import InvalidLayout, field_error
from catalog.domain.model import RowSpec, Seat, SeatLayout

ROW_NAME_PATTERN = r"^[A-Z0-9]{1,3}$"
CATEGORY_PATTERN = r"^[A-Z_]{1,32}$"
MAX_SEATS_PER_ROW = 100
MAX_ROWS = 200

_ROW_NAME = re.compile(ROW_NAME_PATTERN)
_CATEGORY = re.compile(CATEGORY_PATTERN)


def expand_layout(hall_id: str, rows: Sequence[RowSpec]) -> SeatLayout:
    """Every seat of the rows, in row order then number order; InvalidLayout names each bad field."""
    errors = _row_errors(rows)
    if errors:
        raise InvalidLayout(errors)
    seats: list[Seat] = []
    row_of_seat: dict[str, int] = {}
    for index, row in enumerate(rows):
        for number in range(1, row.count + 1):
            seat = Seat(seat_id=f"{row.name}{number}", row=row.name, number=number, category=row.category)
            # Row "A1" seat 1 and row "A" seat 11 would both be "A11": ids must stay unambiguous.
            if (other := row_of_seat.setdefault(seat.seat_id, index)) != index:
                errors.append(
                    field_error(
                        f"rows[{index}].name",
                        f"Seat {seat.seat_id} would exist in row {rows[other].name} and row {row.name}.",
                    )
                )
                break
            seats.append(seat)
    if errors:
        raise InvalidLayout(errors)
    return SeatLayout(hall_id=hall_id, seats=tuple(seats))


def _row_errors(rows: Sequence[RowSpec]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if not rows:
        errors.append(field_error("rows", "A layout needs at least one row."))
    if len(rows) > MAX_ROWS:
        errors.append(field_error("rows", f"A layout has at most {MAX_ROWS} rows."))
    first_row_named: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not _ROW_NAME.match(row.name):
            errors.append(field_error(f"rows[{index}].name", "1 to 3 uppercase letters or digits."))
        elif row.name in first_row_named:
            errors.append(
                field_error(
                    f"rows[{index}].name", f"Row {row.name} is already rows[{first_row_named[row.name]}]."
                )
            )
        else:
            first_row_named[row.name] = index
        if not 1 <= row.count <= MAX_SEATS_PER_ROW:
            errors.append(field_error(f"rows[{index}].count", f"Between 1 and {MAX_SEATS_PER_ROW} seats."))
        if not _CATEGORY.match(row.category):
            errors.append(field_error(f"rows[{index}].category", "1 to 32 characters of A-Z and _."))
    return errors

"""Seat layouts of halls: one row per seat, listed in the order the admin gave the rows."""

from collections.abc import Sequence
from uuid import UUID

from catalog.domain.model import Seat, SeatLayout
from catalog.store.tables import Seat as SeatTable


def _row_indexes(seats: Sequence[Seat]) -> list[int]:
    """The position of each seat's row in the layout, so seats list in the order the admin gave."""
    positions: dict[str, int] = {}
    return [positions.setdefault(seat.row, len(positions)) for seat in seats]


class LayoutStore:
    async def get(self, hall_id: UUID) -> SeatLayout:
        """The hall's seats; none when it has no layout (or there is no such hall)."""
        rows = await SeatTable.raw(
            """
            SELECT seat_id, row_name, number, category FROM seats
            WHERE hall_id = {} ORDER BY row_index, number
            """,
            hall_id,
        )
        seats = tuple(
            Seat(seat_id=row["seat_id"], row=row["row_name"], number=row["number"], category=row["category"])
            for row in rows
        )
        return SeatLayout(hall_id=str(hall_id), seats=seats)

    async def replace(self, hall_id: UUID, seats: Sequence[Seat]) -> None:
        """Two statements: the caller's transaction keeps the hall from being seen without seats."""
        await SeatTable.raw("DELETE FROM seats WHERE hall_id = {}", hall_id)
        await SeatTable.raw(
            """
            INSERT INTO seats (hall_id, seat_id, row_index, row_name, number, category)
            SELECT {}, * FROM unnest({}::text[], {}::smallint[], {}::text[], {}::smallint[], {}::text[])
            """,
            hall_id,
            [seat.seat_id for seat in seats],
            _row_indexes(seats),
            [seat.row for seat in seats],
            [seat.number for seat in seats],
            [seat.category for seat in seats],
        )

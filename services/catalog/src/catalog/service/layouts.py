"""Replacing a hall's seat layout, which only a hall with nothing on sale may have done."""

from collections.abc import Sequence

from catalog.domain.errors import LayoutInUse, UnknownHall
from catalog.domain.layout import expand_layout
from catalog.domain.model import RowSpec, SeatLayout
from catalog.service.context import CatalogContext
from tickethub.kernel import parse_id


async def replace_layout(context: CatalogContext, hall_id: str, rows: Sequence[RowSpec]) -> SeatLayout:
    """The hall's seats as the rows describe them (InvalidLayout names each bad row).

    Refused while a scheduled show of the hall has not ended: its seats are on sale. The hall is
    locked first, as for every scheduling, so no show can be scheduled on the old seats meanwhile.
    """
    layout = expand_layout(hall_id, rows)
    key = parse_id(hall_id)
    async with context.uow.transaction():
        if key is None or await context.halls.lock(key) is None:
            raise UnknownHall(hall_id)
        if blocking := await context.shows.not_ended_in_hall(key, now=context.clock()):
            raise LayoutInUse(hall_id, blocking)
        await context.layouts.replace(key, layout.seats)
    return layout

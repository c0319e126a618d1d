"""Cancelling a show: its hall slot is free again, and booking is told to cancel its bookings."""

from uuid import UUID

from catalog.domain.errors import UnknownShow
from catalog.domain.model import Show
from catalog.domain.schedule import needs_cancelling
from catalog.service.announcing import announce_cancelled
from catalog.service.context import CatalogContext
from tickethub.kernel import parse_id


async def cancel_show(context: CatalogContext, show_id: str, *, reason: str | None) -> Show:
    """SCHEDULED -> CANCELLED with ShowPublished and ShowCancelled in one transaction.

    The show row is locked first, so two cancels of one show are one change and one pair of events;
    a show that is cancelled already is returned as it is.
    """
    key = parse_id(show_id)
    now = context.clock()
    async with context.uow.transaction():
        show = await context.shows.get_locked(key) if key else None
        if show is None:
            raise UnknownShow(show_id)
        if not needs_cancelling(show, now):
            return show
        cancelled = await context.shows.mark_cancelled(show, now=now)
        layout = await context.layouts.get(UUID(show.hall_id))
        await announce_cancelled(cancelled, layout, reason)
    return cancelled

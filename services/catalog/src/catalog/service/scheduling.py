"""Scheduling a show, or bringing one to what a request says, together with its ShowPublished event.

Scheduling is serialised per hall: creating or changing a show and replacing a layout all lock the
hall row first, so a layout cannot change under a show being scheduled and two shows of one hall are
checked one after the other. The exclusion constraint `shows_hall_not_double_booked` stays the final
guard.
"""

from dataclasses import dataclass
from uuid import UUID

from catalog.domain.errors import ShowOverlaps, UnknownHall, UnknownShow
from catalog.domain.model import Show, ShowRequest
from catalog.domain.schedule import Slot, changes_show, plan_show, refuse_unchangeable
from catalog.service import reading
from catalog.service.announcing import announce_show
from catalog.service.context import CatalogContext
from tickethub.kernel import new_id, parse_id


@dataclass(frozen=True, slots=True)
class UpsertedShow:
    """The show after an upsert, and whether the upsert created it."""

    show: Show
    created: bool


async def schedule_show(context: CatalogContext, request: ShowRequest) -> Show:
    """A show under a new id (an upsert that always creates)."""
    return (await upsert_show(context, str(new_id()), request)).show


async def upsert_show(context: CatalogContext, show_id: str, request: ShowRequest) -> UpsertedShow:
    """Creates the show under the caller's id, or brings it to what the request says; a new or
    changed show is stored with its ShowPublished event in one transaction, an unchanged one
    publishes nothing.

    The hall is locked first, as for every scheduling, then the show row, so upserts of one show
    apply one after the other. Two that race to create it while naming different halls meet at the
    primary key: the later insert waits for the first to commit, then that show is updated instead.
    """
    show_key = parse_id(show_id)
    hall_key = parse_id(request.hall_id)
    if show_key is None:
        raise UnknownShow(show_id)
    now = context.clock()
    async with context.uow.transaction():
        movie = await reading.movie(context, request.movie_id)
        location = await context.halls.lock(hall_key) if hall_key else None
        if hall_key is None or location is None:
            raise UnknownHall(request.hall_id)
        layout = await context.layouts.get(hall_key)
        while (current := await context.shows.get_locked(show_key)) is None:
            plan = plan_show(request, movie, layout, now)
            await _refuse_overlap(context, hall_key, plan.slot, show_key)
            if created := await context.shows.insert(show_key, movie, location, plan):
                await announce_show(created, layout)
                return UpsertedShow(created, created=True)
            # A racing upsert created it first (this insert waited for its commit): lock that one.
        refuse_unchangeable(current, movie_id=movie.id, hall_id=location.hall.id, now=now)
        plan = plan_show(request, movie, layout, now)
        if not changes_show(plan, current):
            return UpsertedShow(current, created=False)
        await _refuse_overlap(context, hall_key, plan.slot, show_key)
        updated = await context.shows.reschedule(current, plan, now=now)
        await announce_show(updated, layout)
    return UpsertedShow(updated, created=False)


async def _refuse_overlap(context: CatalogContext, hall_key: UUID, slot: Slot, show_key: UUID) -> None:
    """ShowOverlaps when another SCHEDULED show of the hall is in the slot."""
    if other := await context.shows.first_overlapping(hall_key, slot, besides=show_key):
        raise ShowOverlaps(str(hall_key), other)

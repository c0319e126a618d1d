"""What anyone may read, with no account: movies, theatres, their halls and seats, and shows.

An id that is not even a UUID names nothing, so it is answered as an unknown one is (404).
"""

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from catalog.domain.errors import UnknownHall, UnknownMovie, UnknownShow, UnknownTheatre
from catalog.domain.model import Hall, Movie, Page, SeatLayout, Show, ShowStatus, Theatre
from catalog.domain.schedule import utc_day
from catalog.service.context import CatalogContext
from tickethub.kernel import parse_id

T = TypeVar("T")


async def _found(
    text: str, get: Callable[[UUID], Awaitable[T | None]], unknown: Callable[[str], Exception]
) -> T:
    """What `get` finds under the id `text` spells; `unknown(text)` when it spells none or finds nothing."""
    key = parse_id(text)
    found = await get(key) if key else None
    if found is None:
        raise unknown(text)
    return found


async def movie(context: CatalogContext, movie_id: str) -> Movie:
    return await _found(movie_id, context.movies.get, UnknownMovie)


async def movies(context: CatalogContext, *, limit: int, offset: int) -> Page[Movie]:
    return await context.movies.page(limit=limit, offset=offset)


async def theatre(context: CatalogContext, theatre_id: str) -> Theatre:
    return await _found(theatre_id, context.theatres.get, UnknownTheatre)


async def theatres(context: CatalogContext, *, limit: int, offset: int) -> Page[Theatre]:
    return await context.theatres.page(limit=limit, offset=offset)


async def halls_of(context: CatalogContext, theatre_id: str, *, limit: int, offset: int) -> Page[Hall]:
    found = await theatre(context, theatre_id)
    return await context.halls.page_of_theatre(UUID(found.id), limit=limit, offset=offset)


async def layout_of(context: CatalogContext, hall_id: str) -> SeatLayout:
    """The hall's seats (none before its layout is given); an unknown hall is UnknownHall."""
    key = parse_id(hall_id)
    if key is None or not await context.halls.exists(key):
        raise UnknownHall(hall_id)
    return await context.layouts.get(key)


async def show(context: CatalogContext, show_id: str) -> Show:
    return await _found(show_id, context.shows.get, UnknownShow)


async def shows(
    context: CatalogContext,
    *,
    city: str | None,
    movie_id: UUID | None,
    day: dt.date | None,
    status: ShowStatus,
    limit: int,
    offset: int,
) -> Page[Show]:
    """Shows matching every filter given, by start time; `day` is a calendar day in UTC."""
    starting = utc_day(day) if day else None
    return await context.shows.page(
        city=city, movie_id=movie_id, starting=starting, status=status, limit=limit, offset=offset
    )

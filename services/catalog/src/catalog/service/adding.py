"""Adding what shows are made of: movies, theatres and the halls of a theatre.

Each is made under a new id, or under the id given (the demo catalog's fixed ids).
"""

from uuid import UUID

from catalog.domain.model import Hall, Movie, Theatre
from catalog.service import reading
from catalog.service.context import CatalogContext
from tickethub.kernel import new_id


async def add_movie(
    context: CatalogContext,
    *,
    title: str,
    duration_minutes: int,
    language: str | None,
    genre: str | None,
    description: str | None,
    movie_id: UUID | None = None,
) -> Movie:
    movie = Movie(
        id=str(movie_id or new_id()),
        title=title,
        duration_minutes=duration_minutes,
        language=language,
        genre=genre,
        description=description,
    )
    await context.movies.add(movie)  # one statement: atomic on its own
    return movie


async def add_theatre(
    context: CatalogContext, *, name: str, city: str, address: str | None, theatre_id: UUID | None = None
) -> Theatre:
    theatre = Theatre(id=str(theatre_id or new_id()), name=name, city=city, address=address)
    await context.theatres.add(theatre)  # one statement: atomic on its own
    return theatre


async def add_hall(
    context: CatalogContext, theatre_id: str, *, name: str, hall_id: UUID | None = None
) -> Hall:
    """A new hall of the theatre; HallNameTaken when the theatre has a hall of that name."""
    async with context.uow.transaction():
        theatre = await reading.theatre(context, theatre_id)
        hall = Hall(id=str(hall_id or new_id()), theatre_id=theatre.id, name=name)
        await context.halls.add(hall)
    return hall

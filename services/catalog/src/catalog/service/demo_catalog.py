"""A small demo catalog under fixed ids, for a fresh cluster and the example Show resource.

Everything goes through the catalog's own use cases, so the service's validation applies, and only
what is missing is inserted: a second run changes nothing.
"""

import uuid
from collections.abc import Awaitable

from catalog.domain.model import RowSpec
from catalog.service import adding, layouts, reading
from catalog.service.context import CatalogContext
from tickethub.web.problems import NotFound

# The same ids in every installation, so examples can name them.
_DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "demo.tickethub.io")
DEMO_MOVIE_ID = str(uuid.uuid5(_DEMO_NAMESPACE, "movie"))
DEMO_THEATRE_ID = str(uuid.uuid5(_DEMO_NAMESPACE, "theatre"))
DEMO_HALL_ID = str(uuid.uuid5(_DEMO_NAMESPACE, "hall"))

DEMO_MOVIE_TITLE = "Harbour Lights"
DEMO_MOVIE_MINUTES = 120
DEMO_THEATRE_NAME = "TicketHub Demo Cinema"
DEMO_CITY = "Pune"
DEMO_HALL_NAME = "Hall 1"
DEMO_ROWS = (
    RowSpec(name="A", count=10, category="STANDARD"),
    RowSpec(name="B", count=10, category="STANDARD"),
    RowSpec(name="C", count=8, category="PREMIUM"),
)
DEMO_CATEGORIES = tuple(dict.fromkeys(row.category for row in DEMO_ROWS))


async def _absent(lookup: Awaitable[object]) -> bool:
    try:
        await lookup
    except NotFound:
        return True
    return False


async def add_demo_catalog(context: CatalogContext) -> list[str]:
    """Inserts whatever of the demo catalog is missing; says what it created, one line each."""
    created: list[str] = []
    if await _absent(reading.movie(context, DEMO_MOVIE_ID)):
        movie = await adding.add_movie(
            context,
            movie_id=uuid.UUID(DEMO_MOVIE_ID),
            title=DEMO_MOVIE_TITLE,
            duration_minutes=DEMO_MOVIE_MINUTES,
            language="English",
            genre="Drama",
            description="A lighthouse keeper's last summer before the light goes automatic.",
        )
        created.append(f"created movie {movie.title!r} ({movie.id})")
    if await _absent(reading.theatre(context, DEMO_THEATRE_ID)):
        theatre = await adding.add_theatre(
            context,
            theatre_id=uuid.UUID(DEMO_THEATRE_ID),
            name=DEMO_THEATRE_NAME,
            city=DEMO_CITY,
            address=None,
        )
        created.append(f"created theatre {theatre.name!r} in {theatre.city} ({theatre.id})")
    if await _absent(reading.layout_of(context, DEMO_HALL_ID)):  # a hall is found through its layout
        hall = await adding.add_hall(
            context, DEMO_THEATRE_ID, hall_id=uuid.UUID(DEMO_HALL_ID), name=DEMO_HALL_NAME
        )
        created.append(f"created hall {hall.name!r} ({hall.id})")
    if not (await reading.layout_of(context, DEMO_HALL_ID)).seats:
        layout = await layouts.replace_layout(context, DEMO_HALL_ID, DEMO_ROWS)
        created.append(
            f"created seats of {DEMO_HALL_NAME!r}: {len(layout.seats)} in {', '.join(layout.categories)}"
        )
    return created

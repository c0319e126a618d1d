"""Request and response bodies of the catalog API (camelCase JSON, validated on the way in).

Constraints live in `Meta` so a bad value is a 422 naming its field before any domain code runs; the
domain re-checks the same rules (from the same constants) because it is the authority.
"""

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import msgspec
from msgspec import Meta

from catalog.domain.layout import CATEGORY_PATTERN, MAX_ROWS, MAX_SEATS_PER_ROW, ROW_NAME_PATTERN
from catalog.domain.model import Hall, Movie, Page, SeatLayout, Show, Theatre
from catalog.domain.pricing import format_price
from catalog.domain.schedule import MAX_HOLD_SECONDS, MIN_HOLD_SECONDS

T = TypeVar("T")

# At least one non-blank character (msgspec patterns search, they are not anchored).
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
ShortText = Annotated[str, Meta(max_length=50)]


class MovieIn(msgspec.Struct, rename="camel"):
    title: Name
    duration_minutes: Annotated[int, Meta(ge=1, le=600, description="running time in minutes")]
    language: ShortText | None = None
    genre: ShortText | None = None
    description: Annotated[str, Meta(max_length=4000)] | None = None


class MovieOut(msgspec.Struct, rename="camel"):
    id: str
    title: str
    duration_minutes: int
    language: str | None
    genre: str | None
    description: str | None

    @classmethod
    def of(cls, movie: Movie) -> "MovieOut":
        return cls(
            id=movie.id,
            title=movie.title,
            duration_minutes=movie.duration_minutes,
            language=movie.language,
            genre=movie.genre,
            description=movie.description,
        )


class TheatreIn(msgspec.Struct, rename="camel"):
    name: Name
    city: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S")]
    address: Annotated[str, Meta(max_length=500)] | None = None


class TheatreOut(msgspec.Struct, rename="camel"):
    id: str
    name: str
    city: str
    address: str | None

    @classmethod
    def of(cls, theatre: Theatre) -> "TheatreOut":
        return cls(id=theatre.id, name=theatre.name, city=theatre.city, address=theatre.address)


class HallIn(msgspec.Struct, rename="camel"):
    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S")]


class HallOut(msgspec.Struct, rename="camel"):
    id: str
    theatre_id: str
    name: str

    @classmethod
    def of(cls, hall: Hall) -> "HallOut":
        return cls(id=hall.id, theatre_id=hall.theatre_id, name=hall.name)


class RowIn(msgspec.Struct, rename="camel"):
    name: Annotated[str, Meta(pattern=ROW_NAME_PATTERN, description="1-3 uppercase letters or digits")]
    count: Annotated[int, Meta(ge=1, le=MAX_SEATS_PER_ROW, description="seats in the row, numbered from 1")]
    category: Annotated[str, Meta(pattern=CATEGORY_PATTERN, description="price category, e.g. STANDARD")]


class LayoutIn(msgspec.Struct, rename="camel"):
    rows: Annotated[list[RowIn], Meta(min_length=1, max_length=MAX_ROWS)]


class SeatOut(msgspec.Struct, rename="camel"):
    id: str
    row: str
    number: int
    category: str


class LayoutOut(msgspec.Struct, rename="camel"):
    hall_id: str
    seats: list[SeatOut]
    categories: list[str]

    @classmethod
    def of(cls, layout: SeatLayout) -> "LayoutOut":
        return cls(
            hall_id=layout.hall_id,
            seats=[
                SeatOut(id=s.seat_id, row=s.row, number=s.number, category=s.category) for s in layout.seats
            ],
            categories=list(layout.categories),
        )


class ShowIn(msgspec.Struct, rename="camel"):
    movie_id: UUID
    hall_id: UUID
    starts_at: Annotated[datetime, Meta(tz=True, description="RFC 3339 with an offset; in the future")]
    prices: Annotated[
        dict[str, str],
        Meta(min_length=1, description='price per seat category of the hall, e.g. {"STANDARD": "250.00"}'),
    ]
    hold_seconds: (
        Annotated[
            int, Meta(ge=MIN_HOLD_SECONDS, le=MAX_HOLD_SECONDS, description="how long a booking holds seats")
        ]
        | None
    ) = None


class ShowOut(msgspec.Struct, rename="camel"):
    id: str
    movie_id: str
    movie_title: str
    hall_id: str
    hall_name: str
    theatre_id: str
    theatre_name: str
    city: str
    starts_at: datetime
    ends_at: datetime
    prices: dict[str, str]
    hold_seconds: int
    status: str
    seat_count: int
    revision: int

    @classmethod
    def of(cls, show: Show) -> "ShowOut":
        return cls(
            id=show.id,
            movie_id=show.movie_id,
            movie_title=show.movie_title,
            hall_id=show.hall_id,
            hall_name=show.hall_name,
            theatre_id=show.theatre_id,
            theatre_name=show.theatre_name,
            city=show.city,
            starts_at=show.starts_at,
            ends_at=show.ends_at,
            prices={category: format_price(amount) for category, amount in show.prices.items()},
            hold_seconds=show.hold_seconds,
            status=show.status.value,
            seat_count=show.seat_count,
            revision=show.revision,
        )


class PageOut(msgspec.Struct, Generic[T], rename="camel"):
    """One page of a list: `total` counts every match, `items` holds at most `limit` from `offset`."""

    items: list[T]
    total: int
    limit: int
    offset: int


class MoviePage(PageOut[MovieOut]):
    pass


class TheatrePage(PageOut[TheatreOut]):
    pass


class HallPage(PageOut[HallOut]):
    pass


class ShowPage(PageOut[ShowOut]):
    pass


P = TypeVar("P", bound=PageOut[Any])


def page_of(kind: type[P], page: Page[Any], items: list[Any]) -> P:
    return kind(items=items, total=page.total, limit=page.limit, offset=page.offset)

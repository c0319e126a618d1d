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
from tickethub.web.pagination import PageLimit, PageOffset, PageTotal

T = TypeVar("T")

# At least one non-blank character (msgspec patterns search, they are not anchored).
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
ShortText = Annotated[str, Meta(max_length=50)]

# One movie, theatre, hall and show whose values Swagger UI composes into every example body.
MOVIE_ID, THEATRE_ID = "a1f4c2e8-6b3d-4f7a-9e21-5c8d0b7f3e64", "b7e2d9c4-5a1f-4c3e-8d6b-2f9a0e1c7d35"
HALL_ID, SHOW_ID = "c3a8f1d6-9e2b-4a7c-b5d0-6e4f1a2c8b97", "7d2c9a1e-3b4f-4e5a-9c8d-1f2e3a4b5c6d"
MovieId = Annotated[str, Meta(examples=[MOVIE_ID])]
TheatreId = Annotated[str, Meta(examples=[THEATRE_ID])]
HallId = Annotated[str, Meta(examples=[HALL_ID])]
MovieTitle = Annotated[str, Meta(examples=["Dune: Part Two"])]
TheatreName = Annotated[str, Meta(examples=["Galaxy Cinemas"])]
HallName = Annotated[str, Meta(examples=["Audi 1"])]
City = Annotated[str, Meta(examples=["Pune"])]
Category = Annotated[str, Meta(examples=["STANDARD"])]
Prices = Annotated[dict[str, str], Meta(examples=[{"STANDARD": "250.00", "PREMIUM": "400.00"}])]


class MovieIn(msgspec.Struct, rename="camel"):
    title: Annotated[Name, Meta(examples=["Dune: Part Two"])]
    duration_minutes: Annotated[
        int, Meta(ge=1, le=600, description="running time in minutes", examples=[166])
    ]
    language: Annotated[ShortText, Meta(examples=["English"])] | None = None
    genre: Annotated[ShortText, Meta(examples=["Science fiction"])] | None = None
    description: (
        Annotated[str, Meta(max_length=4000, examples=["Paul Atreides unites with the Fremen."])] | None
    ) = None


class MovieOut(msgspec.Struct, rename="camel"):
    id: MovieId
    title: MovieTitle
    duration_minutes: Annotated[int, Meta(examples=[166])]
    language: Annotated[str, Meta(examples=["English"])] | None
    genre: Annotated[str, Meta(examples=["Science fiction"])] | None
    description: Annotated[str, Meta(examples=["Paul Atreides unites with the Fremen."])] | None

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
    name: Annotated[Name, Meta(examples=["Galaxy Cinemas"])]
    city: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S", examples=["Pune"])]
    address: Annotated[str, Meta(max_length=500, examples=["12 MG Road"])] | None = None


class TheatreOut(msgspec.Struct, rename="camel"):
    id: TheatreId
    name: TheatreName
    city: City
    address: Annotated[str, Meta(examples=["12 MG Road"])] | None

    @classmethod
    def of(cls, theatre: Theatre) -> "TheatreOut":
        return cls(id=theatre.id, name=theatre.name, city=theatre.city, address=theatre.address)


class HallIn(msgspec.Struct, rename="camel"):
    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"\S", examples=["Audi 1"])]


class HallOut(msgspec.Struct, rename="camel"):
    id: HallId
    theatre_id: TheatreId
    name: HallName

    @classmethod
    def of(cls, hall: Hall) -> "HallOut":
        return cls(id=hall.id, theatre_id=hall.theatre_id, name=hall.name)


class RowIn(msgspec.Struct, rename="camel"):
    name: Annotated[
        str, Meta(pattern=ROW_NAME_PATTERN, description="1-3 uppercase letters or digits", examples=["A"])
    ]
    count: Annotated[
        int, Meta(ge=1, le=MAX_SEATS_PER_ROW, description="seats in the row, numbered from 1", examples=[12])
    ]
    category: Annotated[
        str,
        Meta(pattern=CATEGORY_PATTERN, description="price category, e.g. STANDARD", examples=["STANDARD"]),
    ]


class LayoutIn(msgspec.Struct, rename="camel"):
    rows: Annotated[list[RowIn], Meta(min_length=1, max_length=MAX_ROWS)]


class SeatOut(msgspec.Struct, rename="camel"):
    id: Annotated[str, Meta(examples=["A1"])]
    row: Annotated[str, Meta(examples=["A"])]
    number: Annotated[int, Meta(examples=[1])]
    category: Category


class LayoutOut(msgspec.Struct, rename="camel"):
    hall_id: HallId
    seats: list[SeatOut]
    categories: Annotated[list[str], Meta(examples=[["STANDARD", "PREMIUM"]])]

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
    movie_id: Annotated[UUID, Meta(examples=[MOVIE_ID])]
    hall_id: Annotated[UUID, Meta(examples=[HALL_ID])]
    starts_at: Annotated[
        datetime,
        Meta(
            tz=True,
            description="RFC 3339 with an offset; in the future",
            examples=["2026-12-01T18:30:00+05:30"],
        ),
    ]
    prices: Annotated[
        Prices,
        Meta(min_length=1, description='price per seat category of the hall, e.g. {"STANDARD": "250.00"}'),
    ]
    hold_seconds: (
        Annotated[
            int,
            Meta(
                ge=MIN_HOLD_SECONDS,
                le=MAX_HOLD_SECONDS,
                description="how long a booking holds seats",
                examples=[600],
            ),
        ]
        | None
    ) = None


class ShowCancelIn(msgspec.Struct, rename="camel"):
    reason: (
        Annotated[
            str,
            Meta(max_length=500, description="why; told to every buyer", examples=["The projector failed."]),
        ]
        | None
    ) = None


class ShowOut(msgspec.Struct, rename="camel"):
    id: Annotated[str, Meta(examples=[SHOW_ID])]
    movie_id: MovieId
    movie_title: MovieTitle
    hall_id: HallId
    hall_name: HallName
    theatre_id: TheatreId
    theatre_name: TheatreName
    city: City
    starts_at: Annotated[datetime, Meta(examples=["2026-12-01T13:00:00Z"])]
    ends_at: Annotated[
        datetime, Meta(description="the movie's end plus the cleaning gap", examples=["2026-12-01T16:01:00Z"])
    ]
    prices: Prices
    hold_seconds: Annotated[int, Meta(examples=[600])]
    status: Annotated[str, Meta(description="SCHEDULED or CANCELLED", examples=["SCHEDULED"])]
    seat_count: Annotated[int, Meta(examples=[24])]
    revision: Annotated[int, Meta(description="grows with every change of the show", examples=[1])]

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
    total: PageTotal
    limit: PageLimit
    offset: PageOffset


# Each page names its item type again: the OpenAPI schema generator does not resolve `T` of a subclass.
class MoviePage(PageOut[MovieOut]):
    items: list[MovieOut]


class TheatrePage(PageOut[TheatreOut]):
    items: list[TheatreOut]


class HallPage(PageOut[HallOut]):
    items: list[HallOut]


class ShowPage(PageOut[ShowOut]):
    items: list[ShowOut]


P = TypeVar("P", bound=PageOut[Any])


def page_of(kind: type[P], page: Page[Any], items: list[Any]) -> P:
    return kind(items=items, total=page.total, limit=page.limit, offset=page.offset)

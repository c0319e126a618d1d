"""Catalog HTTP endpoints: thin adapters from requests to the use cases, and back to DTOs.

Reads are public (browsing needs no account); every write needs an ADMIN bearer token, except that a
SERVICE token (the Kubernetes operator's) may also upsert and cancel shows.
"""

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from catalog.api.dto import (
    HallIn,
    HallOut,
    HallPage,
    LayoutIn,
    LayoutOut,
    MovieIn,
    MovieOut,
    MoviePage,
    ShowCancelIn,
    ShowIn,
    ShowOut,
    ShowPage,
    TheatreIn,
    TheatreOut,
    TheatrePage,
    page_of,
)
from catalog.domain.model import RowSpec, ShowRequest, ShowStatus
from catalog.service import adding, cancelling, layouts, reading, scheduling
from catalog.service.context import CatalogContext
from tickethub.auth import ADMIN, SERVICE, requires_role
from tickethub.web.app import PUBLIC
from tickethub.web.errors import problem_responses
from tickethub.web.pagination import Limit, Offset

ADMIN_ONLY = [requires_role(ADMIN)]
ADMIN_OR_SERVICE = [requires_role(ADMIN, SERVICE)]
_MALFORMED = problem_responses(400)
_AUTH = problem_responses(401, 403)
_INVALID = problem_responses(422)


def _problem(description: str, status: int = 404) -> dict[int, ResponseSpec]:
    return problem_responses((status, description))


def _show_request(data: ShowIn) -> ShowRequest:
    return ShowRequest(
        movie_id=str(data.movie_id),
        hall_id=str(data.hall_id),
        starts_at=data.starts_at,
        prices=data.prices,
        hold_seconds=data.hold_seconds,
    )


class MovieController(Controller):
    path = "/movies"
    tags = ["movies"]

    @post(
        summary="Add a movie",
        guards=ADMIN_ONLY,
        description="Needs an ADMIN token.",
        responses=_MALFORMED | _AUTH | _INVALID,
    )
    async def add_movie(self, data: JSONBody[MovieIn], context: NamedDependency[CatalogContext]) -> MovieOut:
        movie = await adding.add_movie(
            context,
            title=data.title.strip(),
            duration_minutes=data.duration_minutes,
            language=data.language,
            genre=data.genre,
            description=data.description,
        )
        return MovieOut.of(movie)

    @get(summary="List movies", exclude_from_auth=True, security=PUBLIC, responses=_INVALID)
    async def list_movies(
        self, context: NamedDependency[CatalogContext], limit: Limit = 50, offset: Offset = 0
    ) -> MoviePage:
        page = await reading.movies(context, limit=limit, offset=offset)
        return page_of(MoviePage, page, [MovieOut.of(movie) for movie in page.items])

    @get(
        "/{movie_id:str}",
        summary="Get a movie",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=_problem("No such movie."),
    )
    async def get_movie(self, movie_id: FromPath[str], context: NamedDependency[CatalogContext]) -> MovieOut:
        return MovieOut.of(await reading.movie(context, movie_id))


class TheatreController(Controller):
    path = "/theatres"
    tags = ["theatres"]

    @post(
        summary="Add a theatre",
        guards=ADMIN_ONLY,
        description="Needs an ADMIN token.",
        responses=_MALFORMED | _AUTH | _INVALID,
    )
    async def add_theatre(
        self, data: JSONBody[TheatreIn], context: NamedDependency[CatalogContext]
    ) -> TheatreOut:
        theatre = await adding.add_theatre(
            context, name=data.name.strip(), city=data.city.strip(), address=data.address
        )
        return TheatreOut.of(theatre)

    @get(summary="List theatres", exclude_from_auth=True, security=PUBLIC, responses=_INVALID)
    async def list_theatres(
        self, context: NamedDependency[CatalogContext], limit: Limit = 50, offset: Offset = 0
    ) -> TheatrePage:
        page = await reading.theatres(context, limit=limit, offset=offset)
        return page_of(TheatrePage, page, [TheatreOut.of(theatre) for theatre in page.items])

    @get(
        "/{theatre_id:str}",
        summary="Get a theatre",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=_problem("No such theatre."),
    )
    async def get_theatre(
        self, theatre_id: FromPath[str], context: NamedDependency[CatalogContext]
    ) -> TheatreOut:
        return TheatreOut.of(await reading.theatre(context, theatre_id))

    @post(
        "/{theatre_id:str}/halls",
        summary="Add a hall to a theatre",
        guards=ADMIN_ONLY,
        description="Needs an ADMIN token. Hall names are unique within a theatre.",
        responses=_MALFORMED
        | _AUTH
        | _INVALID
        | _problem("No such theatre.")
        | _problem("The theatre already has a hall of that name.", 409),
    )
    async def add_hall(
        self, theatre_id: FromPath[str], data: JSONBody[HallIn], context: NamedDependency[CatalogContext]
    ) -> HallOut:
        return HallOut.of(await adding.add_hall(context, theatre_id, name=data.name.strip()))

    @get(
        "/{theatre_id:str}/halls",
        summary="List the halls of a theatre",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=_INVALID | _problem("No such theatre."),
    )
    async def list_halls(
        self,
        theatre_id: FromPath[str],
        context: NamedDependency[CatalogContext],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> HallPage:
        page = await reading.halls_of(context, theatre_id, limit=limit, offset=offset)
        return page_of(HallPage, page, [HallOut.of(hall) for hall in page.items])


class HallController(Controller):
    path = "/halls"
    tags = ["halls"]

    @put(
        "/{hall_id:str}/seats",
        summary="Replace the seat layout of a hall",
        guards=ADMIN_ONLY,
        description=(
            "Needs an ADMIN token. Each row gives `count` seats `<name>1..<name><count>` of one price "
            "category. Refused (409) while a SCHEDULED show of the hall has not ended."
        ),
        responses=_MALFORMED
        | _AUTH
        | _INVALID
        | _problem("No such hall.")
        | _problem("A scheduled show of the hall has not ended yet.", 409),
    )
    async def replace_seats(
        self, hall_id: FromPath[str], data: JSONBody[LayoutIn], context: NamedDependency[CatalogContext]
    ) -> LayoutOut:
        rows = [RowSpec(name=row.name, count=row.count, category=row.category) for row in data.rows]
        return LayoutOut.of(await layouts.replace_layout(context, hall_id, rows))

    @get(
        "/{hall_id:str}/seats",
        summary="Get the seat layout of a hall",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=_problem("No such hall."),
    )
    async def get_seats(self, hall_id: FromPath[str], context: NamedDependency[CatalogContext]) -> LayoutOut:
        return LayoutOut.of(await reading.layout_of(context, hall_id))


class ShowController(Controller):
    path = "/shows"
    tags = ["shows"]

    @post(
        summary="Schedule a show",
        guards=ADMIN_ONLY,
        description=(
            "Needs an ADMIN token. The hall must have a seat layout; every seat category of it needs a "
            "price (a positive decimal string with at most 2 decimals) and no other category may be "
            "priced. The hall is busy from `startsAt` until the movie ends plus a 15-minute cleaning gap; "
            "a show overlapping another SCHEDULED show of the hall is refused (409). `holdSeconds` "
            "(60..3600, default 600) is how long a booking holds its seats."
        ),
        responses=_MALFORMED
        | _AUTH
        | _INVALID
        | _problem("No such movie or hall (the problem says which).")
        | _problem("The hall has no seat layout, or the show overlaps another show of the hall.", 409),
    )
    async def schedule_show(
        self, data: JSONBody[ShowIn], context: NamedDependency[CatalogContext]
    ) -> ShowOut:
        return ShowOut.of(await scheduling.schedule_show(context, _show_request(data)))

    @put(
        "/{show_id:str}",
        summary="Schedule or change a show under an id the caller chose",
        guards=ADMIN_OR_SERVICE,
        response_description="The show was changed, or already was as requested.",
        description=(
            "Needs an ADMIN or SERVICE token. Idempotent: the body is that of `POST /shows`, and the show "
            "with the path's id (a UUID) ends up as the body describes (`holdSeconds` left out is 600). "
            "201 when it is created, 200 when it is changed or already was so. A change increases "
            "`revision` and is published as `ShowPublished`; a request that changes nothing publishes "
            "nothing. A show's `movieId` and `hallId` never change (409), and a show that is CANCELLED or "
            "has started is refused (409) even when the request would change nothing. Validation and the "
            "overlap rule are those of `POST /shows`; the show does not overlap itself, so it may move "
            "within its own slot."
        ),
        responses={
            HTTP_201_CREATED: ResponseSpec(
                data_container=ShowOut, description="The show was created.", generate_examples=False
            )
        }
        | _MALFORMED
        | _AUTH
        | _INVALID
        | _problem("No such movie or hall (the problem says which), or the show id is no UUID.")
        | _problem(
            "The show is cancelled or has started, the request changes its movie or hall, the hall has no "
            "seat layout, or the show would overlap another show of the hall.",
            409,
        ),
    )
    async def upsert_show(
        self, show_id: FromPath[str], data: JSONBody[ShowIn], context: NamedDependency[CatalogContext]
    ) -> Response[ShowOut]:
        upserted = await scheduling.upsert_show(context, show_id, _show_request(data))
        status = HTTP_201_CREATED if upserted.created else HTTP_200_OK
        return Response(ShowOut.of(upserted.show), status_code=status)

    @get(
        summary="List shows",
        exclude_from_auth=True,
        security=PUBLIC,
        description=(
            "Filters combine: `city` (case-insensitive), `movieId`, `date` (YYYY-MM-DD), which "
            "selects shows whose `startsAt` falls on that calendar day in UTC, and `status`. Without "
            "`status` only SCHEDULED shows are listed (what can be booked); `status=CANCELLED` lists the "
            "cancelled ones. Ordered by start time."
        ),
        responses=_INVALID,
    )
    async def list_shows(
        self,
        *,
        context: NamedDependency[CatalogContext],
        # Named as on the wire, so a validation error names the query parameter the client sent.
        city: Annotated[str | None, QueryParameter(max_length=100, description="city of the theatre")] = None,
        movieId: Annotated[UUID | None, QueryParameter(description="only shows of this movie")] = None,
        date: Annotated[
            dt.date | None, QueryParameter(description="UTC calendar day of startsAt, YYYY-MM-DD")
        ] = None,
        status: Annotated[
            ShowStatus, QueryParameter(description="SCHEDULED (the default) or CANCELLED")
        ] = ShowStatus.SCHEDULED,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ShowPage:
        page = await reading.shows(
            context, city=city, movie_id=movieId, day=date, status=status, limit=limit, offset=offset
        )
        return page_of(ShowPage, page, [ShowOut.of(show) for show in page.items])

    @post(
        "/{show_id:str}/cancel",
        status_code=202,
        summary="Cancel a show",
        guards=ADMIN_OR_SERVICE,
        description=(
            "Needs an ADMIN or SERVICE token. Marks the show CANCELLED (its hall slot is free again) and "
            "publishes `ShowCancelled` (topic `catalog.show-cancelled.v1`) with a `ShowPublished` of the "
            "new revision; booking then cancels every booking of the show, refunds the paid ones and "
            "e-mails every buyer. The optional body gives a `reason` for those e-mails. Cancelling a "
            "cancelled show answers 202 with it unchanged and publishes nothing; a show that has started "
            "is 409."
        ),
        responses=_MALFORMED
        | _AUTH
        | _INVALID
        | _problem("No such show.")
        | _problem("The show has already started.", 409),
    )
    async def cancel_show(
        self,
        show_id: FromPath[str],
        context: NamedDependency[CatalogContext],
        data: JSONBody[ShowCancelIn | None] = None,
    ) -> ShowOut:
        reason = data.reason.strip() if data and data.reason else ""  # a blank reason is none
        return ShowOut.of(await cancelling.cancel_show(context, show_id, reason=reason or None))

    @get(
        "/{show_id:str}",
        summary="Get a show",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=_problem("No such show."),
    )
    async def get_show(self, show_id: FromPath[str], context: NamedDependency[CatalogContext]) -> ShowOut:
        return ShowOut.of(await reading.show(context, show_id))


CONTROLLERS: list[Any] = [MovieController, TheatreController, HallController, ShowController]

"""Every catalog endpoint through the entrypoint: its success shape and each failure that applies.

Reads are public; writes need an ADMIN token. Every refused write is checked to have written nothing
by reading, before and after, a list or document the write would have changed.
"""

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from system import (
    BAD_PAGES,
    UNKNOWN_IDS,
    Api,
    expect_invalid,
    expect_problem,
    expect_unauthenticated,
)

pytestmark = pytest.mark.e2e

TWO_ROWS = [
    {"name": "A", "count": 4, "category": "STANDARD"},
    {"name": "B", "count": 2, "category": "PREMIUM"},
]
PRICES = {"STANDARD": "250.00", "PREMIUM": "400.00"}


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def in_days(days: int, hour: int = 18) -> datetime:
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=days), time(hour), tzinfo=UTC)


@dataclass(frozen=True)
class Venue:
    """What this module's tests act on, created once by the admin."""

    movie: str
    theatre: str
    hall: str  # has a layout and the show below
    spare_hall: str  # another hall with a layout, for the shows tests schedule
    show: dict[str, Any]

    def ids(self) -> dict[str, str]:
        return {
            "movie": self.movie,
            "theatre": self.theatre,
            "hall": self.hall,
            "spare_hall": self.spare_hall,
            "show": self.show["id"],
        }


async def created(api: Api, admin: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.http.post(path, json=body, headers=admin)
    assert response.status_code == 201, f"{path}: {response.text}"
    data: dict[str, Any] = response.json()
    return data


async def hall_with_layout(api: Api, admin: dict[str, str], theatre: str, name: str) -> str:
    hall = await created(api, admin, f"/theatres/{theatre}/halls", {"name": name})
    layout = await api.http.put(f"/halls/{hall['id']}/seats", json={"rows": TWO_ROWS}, headers=admin)
    assert layout.status_code == 200, layout.text
    hall_id: str = hall["id"]
    return hall_id


@pytest.fixture(scope="module")
async def venue(api: Api, admin: dict[str, str]) -> Venue:
    show = await api.create_show()
    spare_hall = await hall_with_layout(api, admin, show["theatreId"], "Spare hall")
    return Venue(show["movieId"], show["theatreId"], show["hallId"], spare_hall, show)


def show_body(movie: str, hall: str, starts_at: datetime, **overrides: Any) -> dict[str, Any]:
    return {"movieId": movie, "hallId": hall, "startsAt": rfc3339(starts_at), "prices": PRICES, **overrides}


# -- One table of the admin-only writes: each is refused without a token (401) and for a USER (403). ----

Body = Callable[[Venue], dict[str, Any]]


@dataclass(frozen=True)
class Write:
    method: str
    path: str  # with {movie}, {theatre}, {spare_hall}, {show} filled from the venue
    body: Body
    witness: str  # a GET whose answer changes if the write happened


WRITES = {
    "POST /movies": Write(
        "POST", "/movies", lambda v: {"title": "Refused", "durationMinutes": 90}, "/movies"
    ),
    "POST /theatres": Write(
        "POST", "/theatres", lambda v: {"name": "Refused", "city": "Nowhere"}, "/theatres"
    ),
    "POST /theatres/{id}/halls": Write(
        "POST", "/theatres/{theatre}/halls", lambda v: {"name": "Refused"}, "/theatres/{theatre}/halls"
    ),
    "PUT /halls/{id}/seats": Write(
        "PUT",
        "/halls/{spare_hall}/seats",
        lambda v: {"rows": [{"name": "Z", "count": 1, "category": "STANDARD"}]},
        "/halls/{spare_hall}/seats",
    ),
    "POST /shows": Write(
        "POST",
        "/shows",
        lambda v: show_body(v.movie, v.spare_hall, in_days(20)),
        "/shows?movieId={movie}",
    ),
    "POST /shows/{id}/cancel": Write(
        "POST", "/shows/{show}/cancel", lambda v: {"reason": "Refused"}, "/shows/{show}"
    ),
}


async def witnessed(api: Api, venue: Venue, write: Write) -> Any:
    response = await api.http.get(write.witness.format(**venue.ids()))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("endpoint", WRITES)
async def test_admin_writes_without_a_token_are_401(api: Api, venue: Venue, endpoint: str) -> None:
    write = WRITES[endpoint]
    before = await witnessed(api, venue, write)

    response = await api.http.request(write.method, write.path.format(**venue.ids()), json=write.body(venue))

    expect_unauthenticated(response)
    assert await witnessed(api, venue, write) == before


@pytest.mark.parametrize("endpoint", WRITES)
async def test_admin_writes_with_a_user_token_are_403(
    api: Api, venue: Venue, user: dict[str, str], endpoint: str
) -> None:
    write = WRITES[endpoint]
    before = await witnessed(api, venue, write)

    response = await api.http.request(
        write.method, write.path.format(**venue.ids()), json=write.body(venue), headers=user
    )

    expect_problem(response, 403)
    assert await witnessed(api, venue, write) == before


# -- Invalid values: 422 naming the field, nothing written. -------------------------------------------

INVALID_WRITES = [
    pytest.param("POST /movies", {"title": " ", "durationMinutes": 90}, "title", id="movie-title"),
    pytest.param(
        "POST /movies", {"title": "X", "durationMinutes": 0}, "durationMinutes", id="movie-duration"
    ),
    pytest.param("POST /theatres", {"city": " "}, "city", id="theatre-city"),
    pytest.param("POST /theatres/{id}/halls", {"name": ""}, "name", id="hall-name"),
    pytest.param(
        "PUT /halls/{id}/seats",
        {"rows": [{"name": "A", "count": 0, "category": "STANDARD"}]},
        "rows[0].count",
        id="layout-count",
    ),
    pytest.param("POST /shows", {"movieId": "not-a-uuid"}, "movieId", id="show-movie-id"),
    pytest.param("POST /shows", {"startsAt": "2030-01-01T10:00:00"}, "startsAt", id="show-time-no-offset"),
    pytest.param("POST /shows", {"startsAt": "2020-01-01T10:00:00Z"}, "startsAt", id="show-in-the-past"),
    pytest.param("POST /shows", {"prices": {"STANDARD": "250.00"}}, "prices.PREMIUM", id="show-unpriced"),
    pytest.param("POST /shows", {"prices": {**PRICES, "STANDARD": "-1"}}, "prices.STANDARD", id="show-price"),
    pytest.param("POST /shows", {"holdSeconds": 5}, "holdSeconds", id="show-hold-time"),
    pytest.param("POST /shows/{id}/cancel", {"reason": "x" * 501}, "reason", id="cancel-reason"),
]


@pytest.mark.parametrize(("endpoint", "changes", "field"), INVALID_WRITES)
async def test_admin_writes_refuse_invalid_values(
    api: Api, venue: Venue, admin: dict[str, str], endpoint: str, changes: dict[str, Any], field: str
) -> None:
    write = WRITES[endpoint]
    before = await witnessed(api, venue, write)
    body = {**write.body(venue), **changes}

    response = await api.http.request(
        write.method, write.path.format(**venue.ids()), json=body, headers=admin
    )

    expect_invalid(response, field)
    assert await witnessed(api, venue, write) == before


# -- Unknown ids: 404 for a well-formed UUID and for garbage alike. -----------------------------------

LOOKUPS = [
    ("GET", "/movies/{id}", None),
    ("GET", "/theatres/{id}", None),
    ("GET", "/theatres/{id}/halls", None),
    ("POST", "/theatres/{id}/halls", {"name": "Hall"}),
    ("GET", "/halls/{id}/seats", None),
    ("PUT", "/halls/{id}/seats", {"rows": TWO_ROWS}),
    ("GET", "/shows/{id}", None),
    ("POST", "/shows/{id}/cancel", None),
]


@pytest.mark.parametrize("unknown_id", UNKNOWN_IDS)
@pytest.mark.parametrize(("method", "path", "body"), LOOKUPS, ids=[f"{m} {p}" for m, p, _ in LOOKUPS])
async def test_unknown_ids_are_404(
    api: Api, admin: dict[str, str], method: str, path: str, body: dict[str, Any] | None, unknown_id: str
) -> None:
    response = await api.http.request(method, path.format(id=unknown_id), json=body, headers=admin)

    expect_problem(response, 404)


@pytest.mark.parametrize("reference", ["movieId", "hallId"])
async def test_scheduling_a_show_of_an_unknown_movie_or_hall_is_404(
    api: Api, venue: Venue, admin: dict[str, str], reference: str
) -> None:
    before = await witnessed(api, venue, WRITES["POST /shows"])
    body = {**show_body(venue.movie, venue.spare_hall, in_days(21)), reference: str(uuid.uuid4())}

    response = await api.http.post("/shows", json=body, headers=admin)

    assert reference in expect_problem(response, 404)
    assert await witnessed(api, venue, WRITES["POST /shows"]) == before


# -- Movies -------------------------------------------------------------------------------------------


async def test_post_movie_creates_it(api: Api, admin: dict[str, str]) -> None:
    body = {"title": "Metropolis", "durationMinutes": 153, "language": "de", "genre": "sci-fi"}

    response = await api.http.post("/movies", json=body, headers=admin)

    assert response.status_code == 201, response.text
    movie = response.json()
    assert movie == {"id": movie["id"], "description": None, **body}
    assert (await api.http.get(f"/movies/{movie['id']}")).json() == movie


async def test_get_movies_lists_a_page(api: Api, venue: Venue) -> None:
    response = await api.http.get("/movies", params={"limit": 100})

    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["limit"], page["offset"]) == (100, 0)
    assert page["total"] >= len(page["items"]) >= 1
    assert set(page["items"][0]) == {"id", "title", "durationMinutes", "language", "genre", "description"}


async def test_get_movie_by_id(api: Api, venue: Venue) -> None:
    response = await api.http.get(f"/movies/{venue.movie}")

    assert response.status_code == 200, response.text
    assert response.json()["id"] == venue.movie
    assert response.json()["title"] == venue.show["movieTitle"]


# -- Theatres and halls -------------------------------------------------------------------------------


async def test_post_theatre_creates_it(api: Api, admin: dict[str, str]) -> None:
    body = {"name": "Rex", "city": "Bern", "address": "Schwanengasse 9"}

    response = await api.http.post("/theatres", json=body, headers=admin)

    assert response.status_code == 201, response.text
    theatre = response.json()
    assert theatre == {"id": theatre["id"], **body}
    assert (await api.http.get(f"/theatres/{theatre['id']}")).json() == theatre


async def test_get_theatres_lists_a_page(api: Api, venue: Venue) -> None:
    response = await api.http.get("/theatres")

    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert set(page["items"][0]) == {"id", "name", "city", "address"}


async def test_get_theatre_by_id(api: Api, venue: Venue) -> None:
    response = await api.http.get(f"/theatres/{venue.theatre}")

    assert response.status_code == 200, response.text
    assert response.json()["name"] == venue.show["theatreName"]
    assert response.json()["city"] == venue.show["city"]


async def test_post_hall_adds_it_to_the_theatre(api: Api, venue: Venue, admin: dict[str, str]) -> None:
    response = await api.http.post(f"/theatres/{venue.theatre}/halls", json={"name": "IMAX"}, headers=admin)

    assert response.status_code == 201, response.text
    hall = response.json()
    assert hall == {"id": hall["id"], "theatreId": venue.theatre, "name": "IMAX"}


async def test_post_hall_with_a_taken_name_is_409(api: Api, venue: Venue, admin: dict[str, str]) -> None:
    halls = f"/theatres/{venue.theatre}/halls"
    before = (await api.http.get(halls)).json()

    response = await api.http.post(halls, json={"name": "Spare hall"}, headers=admin)

    expect_problem(response, 409)
    assert (await api.http.get(halls)).json() == before


async def test_get_halls_lists_the_theatres_halls(api: Api, venue: Venue) -> None:
    response = await api.http.get(f"/theatres/{venue.theatre}/halls")

    assert response.status_code == 200, response.text
    page = response.json()
    assert {hall["id"] for hall in page["items"]} >= {venue.hall, venue.spare_hall}
    assert all(hall["theatreId"] == venue.theatre for hall in page["items"])


# -- Seat layouts -------------------------------------------------------------------------------------


async def test_put_seats_replaces_the_layout(api: Api, venue: Venue, admin: dict[str, str]) -> None:
    hall = await created(api, admin, f"/theatres/{venue.theatre}/halls", {"name": "Studio"})
    rows = [{"name": "A", "count": 2, "category": "STANDARD"}, {"name": "VIP", "count": 1, "category": "VIP"}]

    response = await api.http.put(f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=admin)

    assert response.status_code == 200, response.text
    layout = response.json()
    assert layout["hallId"] == hall["id"]
    assert layout["categories"] == ["STANDARD", "VIP"]
    assert layout["seats"] == [
        {"id": "A1", "row": "A", "number": 1, "category": "STANDARD"},
        {"id": "A2", "row": "A", "number": 2, "category": "STANDARD"},
        {"id": "VIP1", "row": "VIP", "number": 1, "category": "VIP"},
    ]
    assert (await api.http.get(f"/halls/{hall['id']}/seats")).json() == layout


async def test_put_seats_of_a_hall_with_a_scheduled_show_is_409(
    api: Api, venue: Venue, admin: dict[str, str]
) -> None:
    before = (await api.http.get(f"/halls/{venue.hall}/seats")).json()

    response = await api.http.put(
        f"/halls/{venue.hall}/seats",
        json={"rows": [{"name": "Z", "count": 1, "category": "X"}]},
        headers=admin,
    )

    assert expect_problem(response, 409)["showIds"] == [venue.show["id"]]
    assert (await api.http.get(f"/halls/{venue.hall}/seats")).json() == before


async def test_get_seats_lists_the_layout(api: Api, venue: Venue) -> None:
    response = await api.http.get(f"/halls/{venue.spare_hall}/seats")

    assert response.status_code == 200, response.text
    layout = response.json()
    assert [seat["id"] for seat in layout["seats"]] == ["A1", "A2", "A3", "A4", "B1", "B2"]
    assert layout["categories"] == ["STANDARD", "PREMIUM"]


# -- Shows --------------------------------------------------------------------------------------------


async def test_post_show_schedules_it(api: Api, venue: Venue, admin: dict[str, str]) -> None:
    starts_at = in_days(30)

    response = await api.http.post(
        "/shows", json=show_body(venue.movie, venue.spare_hall, starts_at, holdSeconds=300), headers=admin
    )

    assert response.status_code == 201, response.text
    show = response.json()
    assert show["movieId"] == venue.movie and show["hallId"] == venue.spare_hall
    assert show["theatreId"] == venue.theatre and show["hallName"] == "Spare hall"
    assert datetime.fromisoformat(show["startsAt"]) == starts_at
    assert datetime.fromisoformat(show["endsAt"]) > starts_at
    assert show["prices"] == PRICES
    assert (show["holdSeconds"], show["status"], show["seatCount"]) == (300, "SCHEDULED", 6)
    assert {"movieTitle", "theatreName", "city", "revision"} <= set(show)
    assert (await api.http.get(f"/shows/{show['id']}")).json() == show


async def test_post_show_overlapping_another_is_409(api: Api, venue: Venue, admin: dict[str, str]) -> None:
    before = await witnessed(api, venue, WRITES["POST /shows"])
    starts_at = datetime.fromisoformat(venue.show["startsAt"]) + timedelta(minutes=30)

    response = await api.http.post(
        "/shows", json=show_body(venue.movie, venue.hall, starts_at), headers=admin
    )

    assert expect_problem(response, 409)["conflictingShowId"] == venue.show["id"]
    assert await witnessed(api, venue, WRITES["POST /shows"]) == before


async def test_get_show_by_id(api: Api, venue: Venue) -> None:
    response = await api.http.get(f"/shows/{venue.show['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == venue.show


# -- POST /shows/{id}/cancel -------------------------------------------------------------------------

_free_days = itertools.count(60)  # each new show on a day of its own: shows of a hall must not overlap


@pytest.fixture
async def new_show(api: Api, venue: Venue, admin: dict[str, str]) -> dict[str, Any]:
    return await created(
        api, admin, "/shows", show_body(venue.movie, venue.spare_hall, in_days(next(_free_days)))
    )


async def test_cancel_show_cancels_it(api: Api, new_show: dict[str, Any], admin: dict[str, str]) -> None:
    response = await api.http.post(
        f"/shows/{new_show['id']}/cancel", json={"reason": "The projector broke."}, headers=admin
    )

    assert response.status_code == 202, response.text
    cancelled = response.json()
    assert cancelled == {**new_show, "status": "CANCELLED", "revision": new_show["revision"] + 1}
    assert (await api.http.get(f"/shows/{new_show['id']}")).json() == cancelled
    scheduled = await api.http.get("/shows", params={"movieId": new_show["movieId"], "limit": 100})
    assert new_show["id"] not in {show["id"] for show in scheduled.json()["items"]}
    listed = await api.http.get(
        "/shows", params={"movieId": new_show["movieId"], "status": "CANCELLED", "limit": 100}
    )
    assert cancelled in listed.json()["items"]


async def test_cancel_show_again_is_202_and_changes_nothing(
    api: Api, new_show: dict[str, Any], admin: dict[str, str]
) -> None:
    first = await api.http.post(f"/shows/{new_show['id']}/cancel", headers=admin)
    assert first.status_code == 202, first.text

    again = await api.http.post(f"/shows/{new_show['id']}/cancel", headers=admin)

    assert again.status_code == 202, again.text
    assert again.json() == first.json()


# -- GET /shows: filters, their combinations, and paging ----------------------------------------------


@dataclass(frozen=True)
class Listing:
    """Three shows in a city of their own, of two movies, on two days."""

    city: str
    movies: tuple[str, str]
    days: tuple[date, date]
    shows: dict[str, str]  # name -> id


@pytest.fixture(scope="module")
async def listing(api: Api, admin: dict[str, str]) -> Listing:
    city = f"Town-{uuid.uuid4().hex[:8]}"
    theatre = await created(api, admin, "/theatres", {"name": "Palace", "city": city})
    halls = [await hall_with_layout(api, admin, theatre["id"], name) for name in ("One", "Two")]
    movies = [
        (await created(api, admin, "/movies", {"title": t, "durationMinutes": 100}))["id"] for t in "XY"
    ]
    plan = {
        "first": (movies[0], halls[0], in_days(40, hour=18)),
        "second": (movies[1], halls[1], in_days(40, hour=20)),
        "third": (movies[0], halls[1], in_days(41, hour=10)),
    }
    shows = {
        name: (await created(api, admin, "/shows", show_body(movie, hall, starts_at)))["id"]
        for name, (movie, hall, starts_at) in plan.items()
    }
    return Listing(city, (movies[0], movies[1]), (in_days(40).date(), in_days(41).date()), shows)


# Filters by name: "city", "CITY" (its upper case), "movie"/"other movie", "day"/"next day".
FILTERS = [
    pytest.param(["city"], ["first", "second", "third"], id="city"),
    pytest.param(["CITY"], ["first", "second", "third"], id="city-any-case"),
    pytest.param(["other movie"], ["second"], id="movieId"),
    pytest.param(["city", "movie"], ["first", "third"], id="city+movieId"),
    pytest.param(["city", "day"], ["first", "second"], id="city+date"),
    pytest.param(["movie", "next day"], ["third"], id="movieId+date"),
    pytest.param(["city", "movie", "day"], ["first"], id="city+movieId+date"),
    pytest.param(["other movie", "next day"], [], id="nothing-matches"),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
async def test_get_shows_filters_combine(
    api: Api, listing: Listing, filters: list[str], expected: list[str]
) -> None:
    values = {
        "city": ("city", listing.city),
        "CITY": ("city", listing.city.upper()),
        "movie": ("movieId", listing.movies[0]),
        "other movie": ("movieId", listing.movies[1]),
        "day": ("date", listing.days[0].isoformat()),
        "next day": ("date", listing.days[1].isoformat()),
    }

    response = await api.http.get("/shows", params=dict(values[name] for name in filters))

    assert response.status_code == 200, response.text
    page = response.json()
    assert [show["id"] for show in page["items"]] == [listing.shows[name] for name in expected]  # by time
    assert page["total"] == len(expected)


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [(2, 0, ["first", "second"]), (2, 2, ["third"]), (2, 3, []), (5, 100, [])],
)
async def test_get_shows_pages(
    api: Api, listing: Listing, limit: int, offset: int, expected: list[str]
) -> None:
    response = await api.http.get("/shows", params={"city": listing.city, "limit": limit, "offset": offset})

    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": [(await api.http.get(f"/shows/{listing.shows[name]}")).json() for name in expected],
        "total": 3,
        "limit": limit,
        "offset": offset,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"date": "2030-02-30"}, "date", id="date"),
        pytest.param({"movieId": "not-a-uuid"}, "movieId", id="movieId"),
        pytest.param({"city": "x" * 101}, "city", id="city"),
        pytest.param({"status": "PLAYING"}, "status", id="status"),
    ],
)
async def test_get_shows_refuses_invalid_filters(api: Api, params: dict[str, str], field: str) -> None:
    expect_invalid(await api.http.get("/shows", params=params), field, source="query")


LISTS = ["/movies", "/theatres", "/theatres/{theatre}/halls", "/shows"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("params", "field"), BAD_PAGES)
async def test_lists_refuse_out_of_range_paging(
    api: Api, venue: Venue, path: str, params: dict[str, int], field: str
) -> None:
    expect_invalid(await api.http.get(path.format(**venue.ids()), params=params), field, source="query")


@pytest.mark.parametrize("path", LISTS)
async def test_lists_past_their_end_are_empty_pages_with_the_total(api: Api, venue: Venue, path: str) -> None:
    url = path.format(**venue.ids())
    total = (await api.http.get(url)).json()["total"]

    response = await api.http.get(url, params={"offset": total, "limit": 10})

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "total": total, "limit": 10, "offset": total}

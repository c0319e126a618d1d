"""Scheduling shows: the rules of POST /shows, the listing filters, and overlap under concurrency."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def error_fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


async def test_schedule_and_get_a_show(catalog: Any, client: httpx.AsyncClient, starts_at: datetime) -> None:
    movie, hall = await catalog.movie(duration=112), await catalog.hall()

    show = await catalog.show(movie, hall, starts_at)

    assert show == {
        "id": show["id"],
        "movieId": movie["id"],
        "movieTitle": movie["title"],
        "hallId": hall["id"],
        "hallName": hall["name"],
        "theatreId": hall["theatre"]["id"],
        "theatreName": hall["theatre"]["name"],
        "city": hall["theatre"]["city"],
        "startsAt": starts_at.isoformat().replace("+00:00", "Z"),
        "endsAt": (starts_at + timedelta(minutes=112)).isoformat().replace("+00:00", "Z"),
        "prices": {"STANDARD": "250.00", "VIP": "400.00"},
        "holdSeconds": 600,
        "status": "SCHEDULED",
        "seatCount": 16,
        "revision": 1,
    }
    fetched = await client.get(f"/shows/{show['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == show


async def test_prices_are_normalised_and_hold_time_kept(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    body = catalog.show_body(
        movie, hall, starts_at, prices={"STANDARD": "99.5", "VIP": "400"}, holdSeconds=900
    )

    response = await client.post("/shows", json=body, headers=admin)

    assert response.status_code == 201, response.text
    assert response.json()["prices"] == {"STANDARD": "99.50", "VIP": "400.00"}
    assert response.json()["holdSeconds"] == 900


@pytest.mark.parametrize("show_id", [str(uuid.uuid4()), "garbage"])
async def test_unknown_show_is_404(client: httpx.AsyncClient, show_id: str) -> None:
    response = await client.get(f"/shows/{show_id}")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-show"


async def test_unknown_movie_or_hall_is_404_naming_which(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    nobody = {"id": str(uuid.uuid4())}

    no_movie = await client.post("/shows", json=catalog.show_body(nobody, hall, starts_at), headers=admin)
    no_hall = await client.post("/shows", json=catalog.show_body(movie, nobody, starts_at), headers=admin)

    assert no_movie.status_code == no_hall.status_code == 404
    assert no_movie.json()["type"] == "urn:tickethub:problem:unknown-movie"
    assert no_movie.json()["movieId"] == nobody["id"]
    assert no_hall.json()["type"] == "urn:tickethub:problem:unknown-hall"
    assert no_hall.json()["hallId"] == nobody["id"]


async def test_a_hall_without_seats_is_409(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall(rows=[])

    response = await client.post("/shows", json=catalog.show_body(movie, hall, starts_at), headers=admin)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:tickethub:problem:hall-has-no-layout"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"startsAt": "2001-01-01T18:00:00Z"}, {"startsAt"}),
        ({"startsAt": "2999-01-01T18:00:00"}, {"startsAt"}),  # no offset
        ({"startsAt": "tomorrow"}, {"startsAt"}),
        ({"movieId": "not-a-uuid"}, {"movieId"}),
        ({"hallId": 42}, {"hallId"}),
        ({"prices": {"STANDARD": "250.00"}}, {"prices.VIP"}),
        ({"prices": {"STANDARD": "250.00", "VIP": "1.00", "LOUNGE": "5.00"}}, {"prices.LOUNGE"}),
        ({"prices": {"STANDARD": "12.345", "VIP": "1.00"}}, {"prices.STANDARD"}),
        ({"prices": {"STANDARD": "0.00", "VIP": "1.00"}}, {"prices.STANDARD"}),
        ({"prices": {"STANDARD": "-5", "VIP": "1.00"}}, {"prices.STANDARD"}),
        ({"prices": {"STANDARD": 250, "VIP": "1.00"}}, {"prices[...]"}),  # a number, not a decimal string
        ({"prices": {}}, {"prices"}),
        ({"holdSeconds": 59}, {"holdSeconds"}),
        ({"holdSeconds": 3601}, {"holdSeconds"}),
    ],
)
async def test_invalid_shows_are_422_naming_the_field(
    *,
    catalog: Any,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    starts_at: datetime,
    changes: dict[str, Any],
    fields: set[str],
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()

    response = await client.post(
        "/shows", json=catalog.show_body(movie, hall, starts_at, **changes), headers=admin
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert error_fields(response) == fields, response.json()


async def test_missing_and_unknown_categories_are_listed(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    body = catalog.show_body(movie, hall, starts_at, prices={"STANDARD": "1.00", "BALCONY": "2.00"})

    response = await client.post("/shows", json=body, headers=admin)

    assert response.status_code == 422
    assert response.json()["missingCategories"] == ["VIP"]
    assert response.json()["unknownCategories"] == ["BALCONY"]


@pytest.mark.parametrize(
    ("offset_minutes", "status"),
    [
        (0, 409),  # same start
        (60, 409),  # during the movie
        (120, 409),  # at its end: the hall is being cleaned
        (134, 409),  # a minute before cleaning ends
        (135, 201),  # exactly when cleaning ends
        (-134, 409),  # a 120-minute show starting 134 minutes before ends inside our slot
        (-135, 201),  # ... 135 minutes before: its cleaning ends as ours starts
        (24 * 60, 201),
    ],
)
async def test_shows_of_one_hall_never_overlap(
    *,
    catalog: Any,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    starts_at: datetime,
    offset_minutes: int,
    status: int,
) -> None:
    movie, hall = await catalog.movie(duration=120), await catalog.hall()
    first = await catalog.show(movie, hall, starts_at)

    body = catalog.show_body(movie, hall, starts_at + timedelta(minutes=offset_minutes))
    response = await client.post("/shows", json=body, headers=admin)

    assert response.status_code == status, response.text
    if status == 409:
        assert response.json()["type"] == "urn:tickethub:problem:show-overlaps"
        assert response.json()["conflictingShowId"] == first["id"]


async def test_other_halls_are_independent(catalog: Any, starts_at: datetime) -> None:
    movie, hall, other = await catalog.movie(), await catalog.hall(), await catalog.hall()

    await catalog.show(movie, hall, starts_at)
    await catalog.show(movie, other, starts_at)


async def test_concurrent_overlapping_shows_exactly_one_wins(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    bodies = [catalog.show_body(movie, hall, starts_at + timedelta(minutes=10 * n)) for n in range(6)]

    responses = await asyncio.gather(*(client.post("/shows", json=body, headers=admin) for body in bodies))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
    listed = (await client.get("/shows", params={"city": hall["theatre"]["city"]})).json()
    assert listed["total"] == 1


async def test_list_shows_by_city_movie_and_utc_date(catalog: Any, client: httpx.AsyncClient) -> None:
    city = "Town-" + uuid.uuid4().hex[:8]
    movie, other_movie = await catalog.movie(), await catalog.movie()
    hall, second_hall = await catalog.hall(city=city), await catalog.hall(city=city)
    day = (datetime.now(UTC) + timedelta(days=5)).date()
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC)
    # 01:00 at +05:30 on the next calendar day is still 19:30 UTC on `day`.
    ist = datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    ist += timedelta(days=1)
    next_day = late + timedelta(hours=1)  # 00:30 UTC the day after

    a = await catalog.show(movie, hall, late)
    b = await catalog.show(other_movie, second_hall, ist)
    c = await catalog.show(movie, second_hall, next_day + timedelta(hours=3))
    elsewhere = await catalog.show(movie, await catalog.hall(), late)

    async def ids(**params: Any) -> list[str]:
        response = await client.get("/shows", params=params)
        assert response.status_code == 200, response.text
        return [show["id"] for show in response.json()["items"]]

    assert await ids(city=city) == [b["id"], a["id"], c["id"]]
    assert await ids(city=city.upper()) == [b["id"], a["id"], c["id"]]
    assert await ids(city=city, date=day.isoformat()) == [b["id"], a["id"]]
    assert await ids(city=city, date=(day + timedelta(days=1)).isoformat()) == [c["id"]]
    assert await ids(city=city, movieId=movie["id"]) == [a["id"], c["id"]]
    assert set(await ids(movieId=movie["id"], date=day.isoformat())) == {a["id"], elsewhere["id"]}
    page = (await client.get("/shows", params={"city": city, "limit": 1, "offset": 1})).json()
    assert page["total"] == 3
    assert [show["id"] for show in page["items"]] == [a["id"]]


@pytest.mark.parametrize(
    ("params", "field"), [({"date": "2030-02-30"}, "date"), ({"movieId": "x"}, "movieId")]
)
async def test_bad_show_filters_are_422(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/shows", params=params)

    assert response.status_code == 422
    assert field in error_fields(response)

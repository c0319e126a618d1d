"""Movies and theatres: admin writes, public reads, precise errors."""

import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def error_fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


async def test_add_get_and_list_movies(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = {
        "title": "Rear Window",
        "durationMinutes": 112,
        "language": "English",
        "genre": "Thriller",
        "description": "A photographer watches his neighbours.",
    }
    created = await client.post("/movies", json=body, headers=admin)

    assert created.status_code == 201, created.text
    movie = created.json()
    assert movie == {"id": movie["id"], **body}
    uuid.UUID(movie["id"])

    fetched = await client.get(f"/movies/{movie['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == movie

    listed = await client.get("/movies", params={"limit": 100})
    assert listed.status_code == 200
    page = listed.json()
    assert movie in page["items"]
    assert page["limit"] == 100
    assert page["offset"] == 0
    assert page["total"] >= 1


async def test_optional_movie_fields_default_to_null(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/movies", json={"title": "  Trimmed  ", "durationMinutes": 90}, headers=admin
    )

    assert created.status_code == 201
    assert created.json() | {"id": None} == {
        "id": None,
        "title": "Trimmed",
        "durationMinutes": 90,
        "language": None,
        "genre": None,
        "description": None,
    }


async def test_movie_list_pages(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for n in range(3):
        response = await client.post(
            "/movies", json={"title": f"Part {n}", "durationMinutes": 100}, headers=admin
        )
        assert response.status_code == 201
    total = (await client.get("/movies")).json()["total"]

    first = (await client.get("/movies", params={"limit": 2, "offset": 0})).json()
    last = (await client.get("/movies", params={"limit": 2, "offset": total - 1})).json()
    beyond = (await client.get("/movies", params={"limit": 2, "offset": total + 5})).json()

    assert len(first["items"]) == 2
    assert len(last["items"]) == 1
    assert beyond == {"items": [], "total": total, "limit": 2, "offset": total + 5}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "x"}, "limit"),
    ],
)
async def test_bad_paging_is_422_naming_the_parameter(
    client: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/movies", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert field in error_fields(response)


@pytest.mark.parametrize("movie_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
async def test_unknown_or_malformed_movie_is_404(client: httpx.AsyncClient, movie_id: str) -> None:
    response = await client.get(f"/movies/{movie_id}")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 404
    assert problem["type"] == "urn:tickethub:problem:unknown-movie"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"durationMinutes": 100}, "title"),
        ({"title": "", "durationMinutes": 100}, "title"),
        ({"title": "   ", "durationMinutes": 100}, "title"),
        ({"title": "x" * 201, "durationMinutes": 100}, "title"),
        ({"title": "Film"}, "durationMinutes"),
        ({"title": "Film", "durationMinutes": 0}, "durationMinutes"),
        ({"title": "Film", "durationMinutes": 601}, "durationMinutes"),
        ({"title": "Film", "durationMinutes": "long"}, "durationMinutes"),
        ({"title": "Film", "durationMinutes": 100, "language": "x" * 51}, "language"),
    ],
)
async def test_invalid_movie_is_422_naming_the_field(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/movies", json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert error_fields(response) == {field}
    assert field in response.json()["detail"]


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b'"text"'])
async def test_malformed_body_is_400(
    client: httpx.AsyncClient, admin: dict[str, str], content: bytes
) -> None:
    response = await client.post(
        "/movies", content=content, headers={**admin, "Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_add_get_and_list_theatres(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = {"name": "Regal", "city": "Bengaluru", "address": "1 MG Road"}
    created = await client.post("/theatres", json=body, headers=admin)

    assert created.status_code == 201, created.text
    theatre = created.json()
    assert theatre == {"id": theatre["id"], **body}
    assert (await client.get(f"/theatres/{theatre['id']}")).json() == theatre
    assert theatre in (await client.get("/theatres", params={"limit": 100})).json()["items"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"city": "Pune"}, "name"), ({"name": "Regal"}, "city"), ({"name": "Regal", "city": " "}, "city")],
)
async def test_invalid_theatre_is_422_naming_the_field(
    client: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/theatres", json=body, headers=admin)

    assert response.status_code == 422
    assert error_fields(response) == {field}


@pytest.mark.parametrize("theatre_id", [str(uuid.uuid4()), "nope"])
async def test_unknown_theatre_is_404(client: httpx.AsyncClient, theatre_id: str) -> None:
    response = await client.get(f"/theatres/{theatre_id}")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-theatre"

"""Halls of a theatre and their seat layouts."""

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from catalog.store.tables import Show as ShowTable

pytestmark = pytest.mark.integration


def error_fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


async def test_add_and_list_halls(catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    theatre = await catalog.theatre()

    first = await client.post(f"/theatres/{theatre['id']}/halls", json={"name": "Screen 2"}, headers=admin)
    second = await client.post(f"/theatres/{theatre['id']}/halls", json={"name": "Screen 1"}, headers=admin)

    assert first.status_code == 201, first.text
    assert first.json() == {"id": first.json()["id"], "theatreId": theatre["id"], "name": "Screen 2"}
    listed = await client.get(f"/theatres/{theatre['id']}/halls")
    assert listed.status_code == 200
    assert listed.json() == {"items": [second.json(), first.json()], "total": 2, "limit": 50, "offset": 0}


async def test_hall_names_are_unique_per_theatre(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    theatre, other = await catalog.theatre(), await catalog.theatre()
    path = f"/theatres/{theatre['id']}/halls"
    assert (await client.post(path, json={"name": "IMAX"}, headers=admin)).status_code == 201

    duplicate = await client.post(path, json={"name": "IMAX"}, headers=admin)
    elsewhere = await client.post(f"/theatres/{other['id']}/halls", json={"name": "IMAX"}, headers=admin)

    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "urn:tickethub:problem:hall-name-taken"
    assert elsewhere.status_code == 201


@pytest.mark.parametrize("theatre_id", [str(uuid.uuid4()), "bad-id"])
async def test_halls_of_an_unknown_theatre_are_404(
    client: httpx.AsyncClient, admin: dict[str, str], theatre_id: str
) -> None:
    added = await client.post(f"/theatres/{theatre_id}/halls", json={"name": "X"}, headers=admin)
    listed = await client.get(f"/theatres/{theatre_id}/halls")

    assert added.status_code == listed.status_code == 404
    assert added.json()["type"] == listed.json()["type"] == "urn:tickethub:problem:unknown-theatre"


async def test_put_seats_returns_the_expanded_layout(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    hall = await catalog.hall(rows=[])
    rows = [{"name": "A", "count": 12, "category": "STANDARD"}, {"name": "B", "count": 2, "category": "VIP"}]

    response = await client.put(f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=admin)

    assert response.status_code == 200, response.text
    layout = response.json()
    assert layout["hallId"] == hall["id"]
    assert layout["categories"] == ["STANDARD", "VIP"]
    assert [seat["id"] for seat in layout["seats"]] == [f"A{n}" for n in range(1, 13)] + ["B1", "B2"]
    assert layout["seats"][0] == {"id": "A1", "row": "A", "number": 1, "category": "STANDARD"}
    assert layout["seats"][-1] == {"id": "B2", "row": "B", "number": 2, "category": "VIP"}
    assert (await client.get(f"/halls/{hall['id']}/seats")).json() == layout


async def test_put_seats_replaces_the_layout(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    hall = await catalog.hall()
    rows = [{"name": "Z", "count": 3, "category": "BALCONY"}]

    response = await client.put(f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=admin)

    assert response.status_code == 200
    assert [seat["id"] for seat in (await client.get(f"/halls/{hall['id']}/seats")).json()["seats"]] == [
        "Z1",
        "Z2",
        "Z3",
    ]


async def test_a_ten_thousand_seat_layout(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    hall = await catalog.hall(rows=[])
    rows = [
        {"name": chr(65 + i // 26) + chr(65 + i % 26), "count": 100, "category": "STANDARD"}
        for i in range(100)
    ]

    response = await client.put(f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=admin)

    assert response.status_code == 200
    assert len(response.json()["seats"]) == 10_000


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"name": "a", "count": 1, "category": "STANDARD"}], "rows[0].name"),
        ([{"name": "ABCD", "count": 1, "category": "STANDARD"}], "rows[0].name"),
        ([{"name": "A", "count": 0, "category": "STANDARD"}], "rows[0].count"),
        ([{"name": "A", "count": 101, "category": "STANDARD"}], "rows[0].count"),
        ([{"name": "A", "count": 1, "category": "Standard"}], "rows[0].category"),
        ([], "rows"),
        (
            [{"name": "A", "count": 1, "category": "X"}, {"name": "A", "count": 1, "category": "X"}],
            "rows[1].name",
        ),
        (
            [{"name": "A", "count": 12, "category": "X"}, {"name": "A1", "count": 1, "category": "X"}],
            "rows[1].name",
        ),
    ],
)
async def test_invalid_layouts_are_422_naming_the_field(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], rows: list[dict[str, Any]], field: str
) -> None:
    hall = await catalog.hall(rows=[])

    response = await client.put(f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=admin)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert error_fields(response) == {field}


async def test_a_row_without_category_is_422(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    hall = await catalog.hall(rows=[])

    response = await client.put(
        f"/halls/{hall['id']}/seats", json={"rows": [{"name": "A", "count": 1}]}, headers=admin
    )

    assert response.status_code == 422
    # The shared handler names a missing nested field by its own name ("category"), not its path.
    [field] = error_fields(response)
    assert field.endswith("category")


@pytest.mark.parametrize("hall_id", [str(uuid.uuid4()), "zzz"])
async def test_seats_of_an_unknown_hall_are_404(
    client: httpx.AsyncClient, admin: dict[str, str], hall_id: str
) -> None:
    body = {"rows": [{"name": "A", "count": 1, "category": "STANDARD"}]}

    replaced = await client.put(f"/halls/{hall_id}/seats", json=body, headers=admin)
    fetched = await client.get(f"/halls/{hall_id}/seats")

    assert replaced.status_code == fetched.status_code == 404
    assert replaced.json()["type"] == "urn:tickethub:problem:unknown-hall"


async def test_layout_is_locked_while_a_future_show_is_scheduled(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    hall, movie = await catalog.hall(), await catalog.movie()
    show = await catalog.show(movie, hall, starts_at)
    before = (await client.get(f"/halls/{hall['id']}/seats")).json()

    response = await client.put(
        f"/halls/{hall['id']}/seats",
        json={"rows": [{"name": "A", "count": 1, "category": "STANDARD"}]},
        headers=admin,
    )

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "urn:tickethub:problem:layout-in-use"
    assert problem["showIds"] == [show["id"]]
    assert (await client.get(f"/halls/{hall['id']}/seats")).json() == before


async def test_layout_can_change_once_its_shows_are_over(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    hall, movie = await catalog.hall(), await catalog.movie()
    show = await catalog.show(movie, hall, starts_at)
    # Time passes: move the show into the past, as if it had been played.
    await ShowTable.raw(
        """
        UPDATE shows SET starts_at = starts_at - interval '30 days', ends_at = ends_at - interval '30 days',
                         hall_released_at = hall_released_at - interval '30 days'
        WHERE id = {}
        """,
        uuid.UUID(show["id"]),
    )

    response = await client.put(
        f"/halls/{hall['id']}/seats",
        json={"rows": [{"name": "A", "count": 1, "category": "STANDARD"}]},
        headers=admin,
    )

    assert response.status_code == 200
    # The played show keeps the seat count it was sold with.
    assert (await client.get(f"/shows/{show['id']}")).json()["seatCount"] == 16

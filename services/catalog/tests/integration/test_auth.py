"""Writes need a verified ADMIN token (401 without a valid one, 403 for other roles); reads are public."""

from typing import Any

import httpx
import pytest
from joserfc.jwk import OKPKey

pytestmark = pytest.mark.integration

WRITES = [
    ("POST", "/movies", {"title": "Film", "durationMinutes": 100}),
    ("POST", "/theatres", {"name": "Regal", "city": "Pune"}),
    ("POST", "/theatres/00000000-0000-0000-0000-000000000000/halls", {"name": "Hall 1"}),
    (
        "PUT",
        "/halls/00000000-0000-0000-0000-000000000000/seats",
        {"rows": [{"name": "A", "count": 1, "category": "STANDARD"}]},
    ),
    (
        "POST",
        "/shows",
        {
            "movieId": "00000000-0000-0000-0000-000000000000",
            "hallId": "00000000-0000-0000-0000-000000000000",
            "startsAt": "2999-01-01T18:00:00Z",
            "prices": {"STANDARD": "1.00"},
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_without_a_token_are_401(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]
) -> None:
    response = await client.request(method, path, json=body)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_with_a_user_token_are_403(
    client: httpx.AsyncClient, issuer: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    response = await client.request(method, path, json=body, headers=issuer.headers("USER"))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "options",
    [
        {"expires_in": -60},  # expired (beyond the leeway)
        {"audience": "someone-else"},  # for another audience
        {"key": OKPKey.generate_key("Ed25519", parameters={"kid": "forged"})},  # not our key
    ],
    ids=["expired", "wrong-audience", "unknown-key"],
)
async def test_invalid_admin_tokens_are_401(
    client: httpx.AsyncClient, issuer: Any, options: dict[str, Any]
) -> None:
    response = await client.post(
        "/movies", json={"title": "Film", "durationMinutes": 100}, headers=issuer.headers("ADMIN", **options)
    )

    assert response.status_code == 401


async def test_garbage_bearer_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/movies",
        json={"title": "Film", "durationMinutes": 100},
        headers={"Authorization": "Bearer abc.def.ghi"},
    )

    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/movies", "/theatres", "/shows"])
async def test_reads_need_no_token(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


async def test_openapi_documents_every_route(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.get("/docs/catalog/openapi.json", headers=admin)

    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    assert set(paths) >= {
        "/movies",
        "/movies/{movie_id}",
        "/theatres",
        "/theatres/{theatre_id}",
        "/theatres/{theatre_id}/halls",
        "/halls/{hall_id}/seats",
        "/shows",
        "/shows/{show_id}",
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            codes = set(operation["responses"])
            if method in {"post", "put"}:
                assert {"401", "403", "422"} <= codes, f"{method} {path} documents {codes}"
            else:
                assert operation["security"] == [{}], f"{method} {path} should be public"
    list_shows = paths["/shows"]["get"]
    assert "UTC" in list_shows["description"]
    assert {p["name"] for p in list_shows["parameters"]} >= {"city", "movieId", "date", "limit", "offset"}

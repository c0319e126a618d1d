"""Bad input gets a precise problem+json error and leaves no booking row and no hold behind."""

import json
import time
import uuid
from typing import Any

import asyncpg
import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey
from redis.asyncio import Redis

from system import Api
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


def forged_token(stack: Stack, **claims: Any) -> str:
    """A token signed with the stack's real key, so only the claims are wrong."""
    key = OKPKey.import_key(json.loads(stack.signing_key_file.read_text()))
    now = int(time.time())
    body = {
        "iss": "tickethub-users",
        "aud": "tickethub",
        "sub": str(uuid.uuid4()),
        "role": "USER",
        "email": "x@example.com",
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    return jwt.encode({"alg": "Ed25519", "kid": key.kid}, body, key, algorithms=["Ed25519"])


@pytest.fixture(scope="module")
async def show(api: Api) -> dict[str, Any]:
    return await api.create_show()


@pytest.fixture(scope="module")
async def token(api: Api) -> str:
    return (await api.user_token())[1]


CASES = [
    pytest.param(b"{not json", 400, id="malformed-json"),
    pytest.param(b"[]", 400, id="not-an-object"),
    pytest.param({"seats": ["A1"]}, 422, id="missing-show"),
    pytest.param({"showId": "SHOW", "seats": []}, 422, id="empty-seat-list"),
    pytest.param({"showId": "SHOW", "seats": ["A1", "A1"]}, 422, id="duplicate-seats"),
    pytest.param({"showId": "SHOW", "seats": ["Z99"]}, 422, id="unknown-seat"),
    pytest.param({"showId": "SHOW", "seats": "A1"}, 422, id="seats-not-a-list"),
    pytest.param({"showId": str(uuid.uuid4()), "seats": ["A1"]}, 404, id="unknown-show"),
]


@pytest.mark.parametrize(("body", "status"), CASES)
async def test_bad_booking_requests_are_refused_precisely(
    api: Api,
    show: dict[str, Any],
    token: str,
    body: bytes | dict[str, Any],
    status: int,
    booking_db: asyncpg.Connection,
    redis: Redis,
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).replace("SHOW", show["id"]).encode()

    response = await api.http.post(
        "/bookings",
        content=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    if status == 422:
        assert "seats" in json.dumps(problem) or "showId" in json.dumps(problem)
    assert "Traceback" not in response.text
    assert await booking_db.fetchval("SELECT count(*) FROM bookings WHERE show_id = $1", show["id"]) == 0
    assert await redis.keys(f"seat:{{show:{show['id']}}}:*") == []


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda stack: None, id="missing"),
        pytest.param(lambda stack: "not-a-jwt", id="garbage"),
        pytest.param(
            lambda stack: forged_token(stack, exp=int(time.time()) - 60, iat=int(time.time()) - 400),
            id="expired",
        ),
        pytest.param(lambda stack: forged_token(stack, aud="another-audience"), id="foreign-audience"),
        pytest.param(lambda stack: forged_token(stack, iss="someone-else"), id="foreign-issuer"),
    ],
)
async def test_bookings_need_a_valid_token(
    api: Api,
    stack: Stack,
    show: dict[str, Any],
    make_token: Any,
    booking_db: asyncpg.Connection,
    redis: Redis,
) -> None:
    token = make_token(stack)
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    response = await api.http.post("/bookings", json={"showId": show["id"], "seats": ["A1"]}, headers=headers)

    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await booking_db.fetchval("SELECT count(*) FROM bookings WHERE show_id = $1", show["id"]) == 0
    assert await redis.keys(f"seat:{{show:{show['id']}}}:*") == []


async def test_client_sent_identity_headers_are_ignored(api: Api, show: dict[str, Any]) -> None:
    response = await api.http.post(
        "/bookings",
        json={"showId": show["id"], "seats": ["A1"]},
        headers={"X-User-Id": "1", "X-User-Role": "ADMIN"},
    )
    assert response.status_code == 401


async def test_someone_elses_booking_is_not_found(api: Api, show: dict[str, Any], token: str) -> None:
    booking = await api.book(token, show["id"], ["B9"])
    assert booking.status_code == 202
    _, stranger = await api.user_token()

    response = await api.http.get(
        f"/bookings/{booking.json()['id']}", headers={"Authorization": f"Bearer {stranger}"}
    )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_catalog_writes_need_the_admin_role(api: Api, token: str) -> None:
    no_token = await api.http.post("/movies", json={"title": "X", "durationMinutes": 90})
    user = await api.http.post(
        "/movies", json={"title": "X", "durationMinutes": 90}, headers={"Authorization": f"Bearer {token}"}
    )
    assert (no_token.status_code, user.status_code) == (401, 403)

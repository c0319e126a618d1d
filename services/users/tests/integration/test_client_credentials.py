"""POST /auth/token: OAuth 2 client credentials (RFC 6749 §4.4) for machines, against real PostgreSQL."""

import base64
import json
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

import httpx
import pytest
from joserfc import jwt
from litestar import Litestar

from tickethub.auth import JwksVerifier
from tickethub.testing import running
from users.adapters.signing_keys import SigningKeys
from users.settings import Settings
from users_http import assert_problem, bearer, build_app, unique_email

pytestmark = pytest.mark.integration

OPERATOR = ("show-operator", secrets.token_urlsafe(32))
REPORTING = ("reporting.batch", secrets.token_urlsafe(32))
# RFC 6749 §2.3.1: id and secret are form-urlencoded before HTTP Basic joins them with a colon.
AWKWARD = ("awkward_client", "with:colon and space+plus%&=" + secrets.token_urlsafe(24))
CLIENTS = {
    OPERATOR[0]: {"secret": OPERATOR[1], "role": "SERVICE"},
    REPORTING[0]: {"secret": REPORTING[1], "role": "ADMIN"},
    AWKWARD[0]: {"secret": AWKWARD[1], "role": "SERVICE"},
}
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
async def app(make_settings: Callable[..., Settings]) -> AsyncIterator[Litestar]:
    async with running(build_app(make_settings(OAUTH_CLIENTS=json.dumps(CLIENTS)))) as app:
        yield app


def basic(client_id: str, secret: str) -> dict[str, str]:
    credentials = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": f"Basic {base64.b64encode(credentials).decode()}"}


async def token_for(client: httpx.AsyncClient, credentials: tuple[str, str]) -> str:
    response = await client.post("/auth/token", data=GRANT, headers=basic(*credentials))
    assert response.status_code == 200, response.text
    token: str = response.json()["accessToken"]
    return token


async def test_a_client_authenticated_with_http_basic_gets_a_signed_token(
    client: httpx.AsyncClient, jwks_verifier: JwksVerifier, signing_keys: SigningKeys
) -> None:
    response = await client.post("/auth/token", data=GRANT, headers=basic(*OPERATOR))

    assert response.status_code == 200, response.text
    assert (response.headers["cache-control"], response.headers["pragma"]) == ("no-store", "no-cache")
    body = response.json()
    assert (body["tokenType"], body["expiresIn"]) == ("Bearer", 900)
    # The same values under the RFC's names, for off-the-shelf OAuth 2 clients.
    assert (body["access_token"], body["token_type"], body["expires_in"]) == (
        body["accessToken"],
        "Bearer",
        900,
    )
    decoded = jwt.decode(body["accessToken"], signing_keys.public_key_set(), algorithms=["Ed25519"])
    assert decoded.header["kid"] == signing_keys.key_id
    claims = decoded.claims
    assert (claims["sub"], claims["client_id"], claims["role"]) == (OPERATOR[0], OPERATOR[0], "SERVICE")
    assert (claims["iss"], claims["aud"]) == ("tickethub-users", "tickethub")
    assert claims["exp"] - claims["iat"] == 900
    UUID(claims["jti"])
    assert "email" not in claims

    identity = await jwks_verifier.verify(body["accessToken"])  # as every other service checks it
    assert (identity.subject, identity.role) == ("show-operator", "SERVICE")


async def test_a_client_may_authenticate_with_body_parameters_instead(
    client: httpx.AsyncClient, signing_keys: SigningKeys
) -> None:
    data = GRANT | {"client_id": REPORTING[0], "client_secret": REPORTING[1], "scope": "anything"}
    response = await client.post("/auth/token", data=data)
    assert response.status_code == 200, response.text
    token = response.json()["accessToken"]
    claims = jwt.decode(token, signing_keys.public_key_set(), algorithms=["Ed25519"]).claims
    assert (claims["sub"], claims["role"]) == ("reporting.batch", "ADMIN")


async def test_basic_credentials_are_form_decoded(client: httpx.AsyncClient) -> None:
    assert await token_for(client, AWKWARD)
    raw = base64.b64encode(f"{AWKWARD[0]}:{AWKWARD[1]}".encode()).decode()  # not encoded first
    response = await client.post("/auth/token", data=GRANT, headers={"Authorization": f"Basic {raw}"})
    assert_problem(response, 401)


async def test_each_token_has_its_own_id(client: httpx.AsyncClient, signing_keys: SigningKeys) -> None:
    tokens = [await token_for(client, OPERATOR) for _ in range(2)]
    keys = signing_keys.public_key_set()
    assert len({jwt.decode(token, keys, algorithms=["Ed25519"]).claims["jti"] for token in tokens}) == 2


async def test_a_machine_token_carries_its_configured_role_and_no_account(client: httpx.AsyncClient) -> None:
    account = {"email": unique_email("by-machine"), "password": "password-123", "name": "Made By Machine"}
    service_token = await token_for(client, OPERATOR)
    admin_token = await token_for(client, REPORTING)

    assert_problem(await client.post("/admin/register", json=account, headers=bearer(service_token)), 403)
    created = await client.post("/admin/register", json=account, headers=bearer(admin_token))
    assert created.status_code == 201, created.text
    assert_problem(await client.get("/users/me", headers=bearer(service_token)), 404)


@pytest.mark.parametrize(
    "request_options",
    [
        pytest.param({"data": GRANT, "headers": basic(OPERATOR[0], OPERATOR[1] + "x")}, id="wrong-secret"),
        pytest.param({"data": GRANT, "headers": basic(OPERATOR[0], REPORTING[1])}, id="others-secret"),
        pytest.param({"data": GRANT, "headers": basic("nobody", OPERATOR[1])}, id="unknown-client"),
        pytest.param(
            {"data": GRANT | {"client_id": OPERATOR[0], "client_secret": "wrong"}}, id="wrong-body-secret"
        ),
        pytest.param({"data": GRANT | {"client_id": OPERATOR[0]}}, id="no-secret"),
        pytest.param({"data": GRANT}, id="no-credentials"),
        pytest.param({"data": GRANT, "headers": {"Authorization": "Bearer abc"}}, id="not-basic"),
    ],
)
async def test_failed_client_authentication_is_invalid_client(
    client: httpx.AsyncClient, request_options: dict[str, Any]
) -> None:
    response = await client.post("/auth/token", **request_options)
    body = assert_problem(response, 401)
    assert (body["error"], body["type"]) == ("invalid_client", "urn:tickethub:problem:invalid-client")
    assert response.headers["www-authenticate"].startswith("Basic")
    assert "accessToken" not in body


@pytest.mark.parametrize(
    ("request_options", "error", "parameter", "source"),
    [
        pytest.param({"data": {"scope": "all"}}, "invalid_request", "grant_type", "body", id="no-grant-type"),
        pytest.param(
            {"data": {"grant_type": "password"}},
            "unsupported_grant_type",
            "grant_type",
            "body",
            id="password-grant",
        ),
        pytest.param(
            {"content": b"grant_type=client_credentials&grant_type=client_credentials"},
            "invalid_request",
            "grant_type",
            "body",
            id="repeated-parameter",
        ),
        pytest.param({"json": GRANT}, "invalid_request", "content-type", "header", id="json-body"),
        pytest.param(
            {"data": GRANT | {"client_secret": OPERATOR[1]}},
            "invalid_request",
            "client_secret",
            "body",
            id="two-ways-to-authenticate",
        ),
        pytest.param(
            {"data": GRANT | {"client_id": REPORTING[0]}},
            "invalid_request",
            "client_id",
            "body",
            id="body-id-differs-from-basic",
        ),
        pytest.param(
            {"data": GRANT, "headers": {"Authorization": "Basic not-base64!"}},
            "invalid_request",
            "authorization",
            "header",
            id="malformed-basic",
        ),
    ],
)
async def test_malformed_token_requests_are_400_naming_the_parameter(
    client: httpx.AsyncClient, request_options: dict[str, Any], error: str, parameter: str, source: str
) -> None:
    headers = basic(*OPERATOR) | request_options.pop("headers", {})
    if "content" in request_options:
        headers["content-type"] = "application/x-www-form-urlencoded"
    response = await client.post("/auth/token", headers=headers, **request_options)
    body = assert_problem(response, 400)
    assert body["error"] == error
    assert [(e["field"], e["in"]) for e in body["errors"]] == [(parameter, source)]


async def test_the_token_endpoint_is_documented_as_a_form(client: httpx.AsyncClient) -> None:
    token = await token_for(client, OPERATOR)
    document = (await client.get("/docs/users/openapi.json", headers=bearer(token))).json()
    operation = document["paths"]["/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
    assert {"200", "400", "401"} <= set(operation["responses"])

"""Every identity endpoint through the entrypoint: its success shape and each failure that applies."""

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from system import Api, bearer, expect_invalid, expect_problem, expect_unauthenticated
from tickethub.stack.local import OPERATOR_CLIENT_ID, Stack

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "email": f"id-{uuid.uuid4().hex[:10]}@example.com",
        "password": PASSWORD,
        "name": "Ada Lovelace",
        **overrides,
    }


async def still_free(api: Api, body: dict[str, Any]) -> bool:
    """Nothing was written for a refused registration: the same e-mail can still register.

    (Rather than logging in to look: logins are rate limited per client address.)
    """
    response = await api.http.post("/auth/register", json={**registration(), "email": body["email"]})
    return response.status_code == 201


# -- POST /auth/register ------------------------------------------------------------------------------


async def test_register_creates_a_user_account(api: Api) -> None:
    body = registration()

    response = await api.http.post("/auth/register", json=body)

    assert response.status_code == 201, response.text
    account = response.json()
    assert set(account) == {"id", "email", "name", "role"}  # never the password or its hash
    assert uuid.UUID(account["id"])
    assert (account["email"], account["name"], account["role"]) == (body["email"], body["name"], "USER")


async def test_register_refuses_an_invalid_email(api: Api) -> None:
    expect_invalid(await api.http.post("/auth/register", json=registration(email="not-an-e-mail")), "email")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"password": "short"}, "password", id="password"),
        pytest.param({"name": ""}, "name", id="name"),
        pytest.param({"name": None}, "name", id="no-name"),
    ],
)
async def test_register_refuses_invalid_values(api: Api, overrides: dict[str, Any], field: str) -> None:
    body = registration(**overrides)

    expect_invalid(await api.http.post("/auth/register", json=body), field)

    assert await still_free(api, body)


async def test_register_refuses_a_taken_email_whatever_its_case(api: Api) -> None:
    body = registration()
    assert (await api.http.post("/auth/register", json=body)).status_code == 201

    again = await api.http.post("/auth/register", json={**body, "email": body["email"].upper()})

    expect_problem(again, 409)


# -- POST /auth/login ---------------------------------------------------------------------------------


async def test_login_issues_a_bearer_token(api: Api) -> None:
    account = await api.register()

    response = await api.http.post("/auth/login", json={"email": account["email"], "password": PASSWORD})

    assert response.status_code == 200, response.text
    token = response.json()
    assert set(token) == {"accessToken", "tokenType", "expiresIn"}
    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0
    assert "no-store" in response.headers["cache-control"]
    me = await api.http.get("/users/me", headers=bearer(token["accessToken"]))
    assert me.json()["id"] == account["id"]


async def test_login_with_a_wrong_password_is_401(api: Api) -> None:
    account = await api.register()

    response = await api.http.post("/auth/login", json={"email": account["email"], "password": "wrong" * 3})

    expect_problem(response, 401)
    assert "accessToken" not in response.text


async def test_login_without_a_password_is_422(api: Api) -> None:
    expect_invalid(await api.http.post("/auth/login", json={"email": "a@example.com"}), "password")


# -- POST /admin/register -----------------------------------------------------------------------------


async def test_admin_register_creates_an_admin(api: Api, admin: dict[str, str]) -> None:
    body = registration()

    response = await api.http.post("/admin/register", json=body, headers=admin)

    assert response.status_code == 201, response.text
    assert response.json()["role"] == "ADMIN"
    token = await api.login(body["email"], PASSWORD)
    assert (await api.http.get("/users/me", headers=bearer(token))).json()["role"] == "ADMIN"


async def test_admin_register_without_a_token_is_401(api: Api) -> None:
    body = registration()

    expect_unauthenticated(await api.http.post("/admin/register", json=body))

    assert await still_free(api, body)


async def test_admin_register_with_a_user_token_is_403(api: Api, user: dict[str, str]) -> None:
    body = registration()

    expect_problem(await api.http.post("/admin/register", json=body, headers=user), 403)

    assert await still_free(api, body)


async def test_admin_register_refuses_invalid_values(api: Api, admin: dict[str, str]) -> None:
    body = registration(password="short")

    expect_invalid(await api.http.post("/admin/register", json=body, headers=admin), "password")

    assert await still_free(api, body)


# -- GET /users/status, GET /users/me, GET /.well-known/jwks.json ---------------------------------------


async def test_users_status_reports_a_healthy_service(api: Api) -> None:
    response = await api.http.get("/users/status")

    assert response.status_code == 200, response.text
    status = response.json()
    assert (status["service"], status["status"], status["database"]) == ("users", "ok", "up")
    assert status["signingKeyId"] and status["checks"]


async def test_me_is_the_caller(api: Api) -> None:
    account = await api.register()
    token = await api.login(account["email"], PASSWORD)

    response = await api.http.get("/users/me", headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.json() == {key: account[key] for key in ("id", "email", "name", "role")}


async def test_me_without_a_token_is_401(api: Api) -> None:
    expect_unauthenticated(await api.http.get("/users/me"))


async def test_jwks_publishes_the_signing_key_and_no_secret(api: Api) -> None:
    response = await api.http.get("/.well-known/jwks.json")

    assert response.status_code == 200, response.text
    keys = response.json()["keys"]
    signing_key_id = (await api.http.get("/users/status")).json()["signingKeyId"]
    assert signing_key_id in {key["kid"] for key in keys}
    assert all("d" not in key for key in keys)  # public halves only


# -- POST /auth/token (OAuth 2 client credentials) ----------------------------------------------------


@pytest.fixture(scope="module")
def operator(stack: Stack) -> tuple[str, str]:
    """The machine client the local stack configures: (client id, secret)."""
    clients = json.loads(stack.oauth_clients_file.read_text())
    return OPERATOR_CLIENT_ID, clients[OPERATOR_CLIENT_ID]["secret"]


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: the services verify it, this only reads what was issued."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def client_credentials(client_id: str, secret: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}


async def test_token_issues_a_machine_token(api: Api, operator: tuple[str, str]) -> None:
    response = await api.http.post("/auth/token", data=client_credentials(*operator))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tokenType"] == body["token_type"] == "Bearer"
    assert body["accessToken"] == body["access_token"]
    assert body["expiresIn"] == body["expires_in"] > 0
    assert "no-store" in response.headers["cache-control"]
    claims = claims_of(body["accessToken"])
    assert (claims["sub"], claims["client_id"], claims["role"]) == (operator[0], operator[0], "SERVICE")
    # Every service accepts it (no 401); it is no account, and SERVICE is not ADMIN.
    expect_problem(await api.http.get("/users/me", headers=bearer(body["accessToken"])), 404)
    movie = {"title": "By a machine", "durationMinutes": 90}
    expect_problem(await api.http.post("/movies", json=movie, headers=bearer(body["accessToken"])), 403)


async def test_token_accepts_http_basic_client_authentication(api: Api, operator: tuple[str, str]) -> None:
    response = await api.http.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=httpx.BasicAuth(*operator)
    )

    assert response.status_code == 200, response.text
    assert claims_of(response.json()["accessToken"])["client_id"] == operator[0]


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(lambda client: client_credentials(client[0], client[1] + "x"), id="wrong-secret"),
        pytest.param(lambda client: client_credentials("no-such-client", client[1]), id="unknown-client"),
        pytest.param(lambda client: {"grant_type": "client_credentials"}, id="no-credentials"),
    ],
)
async def test_token_refuses_bad_client_credentials_with_401(
    api: Api, operator: tuple[str, str], credentials: Callable[[tuple[str, str]], dict[str, str]]
) -> None:
    response = await api.http.post("/auth/token", data=credentials(operator))

    assert expect_problem(response, 401)["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")
    assert "accessToken" not in response.text


# RFC 6749 §5.2 makes a bad token request a 400 with its own error codes (the API's 422 elsewhere);
# `errors` still names the parameter.
@pytest.mark.parametrize(
    ("form", "error", "parameter"),
    [
        pytest.param({"grant_type": None}, "invalid_request", "grant_type", id="no-grant-type"),
        pytest.param({"grant_type": "password"}, "unsupported_grant_type", "grant_type", id="other-grant"),
    ],
)
async def test_token_refuses_a_bad_grant_with_400_naming_it(
    api: Api, operator: tuple[str, str], form: dict[str, str | None], error: str, parameter: str
) -> None:
    data = {key: value for key, value in {**client_credentials(*operator), **form}.items() if value}

    problem = expect_problem(await api.http.post("/auth/token", data=data), 400)

    assert problem["error"] == error
    assert [e["field"] for e in problem["errors"]] == [parameter]


async def test_token_needs_a_form_body(api: Api, operator: tuple[str, str]) -> None:
    problem = expect_problem(await api.http.post("/auth/token", json=client_credentials(*operator)), 400)

    assert problem["error"] == "invalid_request"
    assert {(e["field"], e["in"]) for e in problem["errors"]} == {("content-type", "header")}

"""Identity API end to end against real PostgreSQL: register, log in, verify the token, the errors."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from joserfc import jwt

from tickethub.auth import JwksVerifier
from users.adapters.signing_keys import SigningKeys, generate_signing_key
from users.domain.accounts import Account, Role
from users.domain.tokens import TokenPolicy, access_token_claims
from users_http import assert_problem, bearer, login, register, unique_email

pytestmark = pytest.mark.integration


async def test_register_login_and_me_round_trip(
    client: httpx.AsyncClient, jwks_verifier: JwksVerifier, signing_keys: SigningKeys
) -> None:
    email = unique_email("Ann")
    account = await register(client, email=email, name="  Ann Smith ")
    assert account == {"id": account["id"], "email": email, "name": "Ann Smith", "role": "USER"}
    UUID(account["id"])

    response = await client.post("/auth/login", json={"email": email.upper(), "password": "password-123"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["tokenType"], body["expiresIn"]) == ("Bearer", 900)

    # Any service verifies the token with tickethub.auth against the users service's JWKS.
    identity = await jwks_verifier.verify(body["accessToken"])
    assert (identity.subject, identity.role, identity.email) == (account["id"], "USER", email)

    decoded = jwt.decode(body["accessToken"], signing_keys.public_key_set(), algorithms=["Ed25519"])
    assert decoded.header == {"alg": "Ed25519", "typ": "JWT", "kid": signing_keys.key_id}
    claims = decoded.claims
    assert claims["exp"] - claims["iat"] == 900
    assert (claims["iss"], claims["aud"], claims["name"]) == ("tickethub-users", "tickethub", "Ann Smith")
    UUID(claims["jti"])

    me = await client.get("/users/me", headers=bearer(body["accessToken"]))
    assert me.status_code == 200
    assert me.json() == account


async def test_each_login_issues_a_distinct_token_id(
    client: httpx.AsyncClient, signing_keys: SigningKeys
) -> None:
    email = unique_email()
    await register(client, email=email)
    first, second = await login(client, email), await login(client, email)
    key_set = signing_keys.public_key_set()
    jtis = {jwt.decode(token, key_set, algorithms=["Ed25519"]).claims["jti"] for token in (first, second)}
    assert len(jtis) == 2


async def test_jwks_lists_public_keys_only(client: httpx.AsyncClient, signing_keys: SigningKeys) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert [key["kid"] for key in keys] == [signing_keys.key_id]
    assert all(key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key for key in keys)
    assert "max-age" in response.headers["cache-control"]


async def test_status_reports_the_database(client: httpx.AsyncClient, signing_keys: SigningKeys) -> None:
    response = await client.get("/users/status")
    assert response.status_code == 200
    assert response.json() == {
        "service": "users",
        "status": "ok",
        "database": "up",
        "signingKeyId": signing_keys.key_id,
        "checks": {"postgres": "ok", "redis": "ok"},
    }


async def test_openapi_document_lists_the_identity_paths(client: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(client, email=email)
    response = await client.get("/docs/users/openapi.json", headers=bearer(await login(client, email)))
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/auth/register",
        "/auth/login",
        "/auth/token",
        "/admin/register",
        "/users/status",
        "/users/me",
        "/.well-known/jwks.json",
    ):
        assert path in paths


async def test_duplicate_email_is_a_conflict_whatever_its_case(client: httpx.AsyncClient) -> None:
    email = unique_email("Dup")
    await register(client, email=email)
    for again in (email, email.upper(), email.lower()):
        response = await client.post(
            "/auth/register", json={"email": again, "password": "password-456", "name": "Other"}
        )
        body = assert_problem(response, 409)
        assert body["type"] == "urn:tickethub:problem:email-taken"


async def test_racing_registrations_of_one_email_create_one_account(client: httpx.AsyncClient) -> None:
    email = unique_email("race")
    data = [
        {"email": variant, "password": "password-123", "name": "Racer"} for variant in (email, email.upper())
    ]
    responses = await asyncio.gather(*(client.post("/auth/register", json=d) for d in data * 2))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "x" * 7}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "N" * 101}, "name"),
        ({"name": 42}, "name"),
        ({"email": None}, "email"),
    ],
)
async def test_invalid_values_are_422_naming_the_field(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str
) -> None:
    data = {"email": unique_email(), "password": "password-123", "name": "Ann"} | changes
    body = assert_problem(await client.post("/auth/register", json=data), 422)
    assert field in body["detail"]
    assert [error["field"] for error in body["errors"]] == [field]


@pytest.mark.parametrize("missing", ["email", "password", "name"])
async def test_a_missing_field_is_422_naming_it(client: httpx.AsyncClient, missing: str) -> None:
    data = {"email": unique_email(), "password": "password-123", "name": "Ann"}
    del data[missing]
    body = assert_problem(await client.post("/auth/register", json=data), 422)
    assert missing in body["detail"]


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
@pytest.mark.parametrize("content", [b'{"email": "a@example.com", ', b"[]", b'"text"', b"", b"not json"])
async def test_malformed_json_is_400(client: httpx.AsyncClient, path: str, content: bytes) -> None:
    response = await client.post(path, content=content, headers={"content-type": "application/json"})
    assert_problem(response, 400)


async def test_wrong_password_and_unknown_email_get_the_same_answer(client: httpx.AsyncClient) -> None:
    email = unique_email()
    await register(client, email=email)

    async def failed_login(login_email: str) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        response = await client.post("/auth/login", json={"email": login_email, "password": "wrong-password"})
        elapsed = time.perf_counter() - started
        return assert_problem(response, 401), elapsed

    wrong_password, unknown_email = [], []
    for _ in range(5):  # interleaved, so a burst of load on the machine slows both alike
        wrong_password.append(await failed_login(email))
        unknown_email.append(await failed_login(unique_email("nobody")))
    assert {str(body) for body, _ in wrong_password + unknown_email} == {str(wrong_password[0][0])}
    assert wrong_password[0][0]["detail"] == "The e-mail or password is wrong."
    # Both verify one Argon2 hash (~100 ms); skipping it would answer an unknown e-mail in ~2 ms.
    # The fastest of each is compared: load on the machine only ever adds time.
    known = min(elapsed for _, elapsed in wrong_password)
    unknown = min(elapsed for _, elapsed in unknown_email)
    assert unknown > 0.5 * known, (unknown, known)


async def test_login_values_are_validated(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/auth/login", json={"email": "a@example.com"}), 422)
    assert "password" in body["detail"]


async def test_admin_register_needs_an_admin_token(
    client: httpx.AsyncClient, bootstrap_admin: tuple[str, str]
) -> None:
    data = {"email": unique_email("admin"), "password": "password-123", "name": "Second Admin"}

    assert_problem(await client.post("/admin/register", json=data), 401)
    user_email = unique_email()
    await register(client, email=user_email)
    user_token = await login(client, user_email)
    assert_problem(await client.post("/admin/register", json=data, headers=bearer(user_token)), 403)

    admin_token = await login(client, *bootstrap_admin)
    response = await client.post("/admin/register", json=data, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["email"], created["name"], created["role"]) == (data["email"], "Second Admin", "ADMIN")

    new_admin = await client.get("/users/me", headers=bearer(await login(client, data["email"])))
    assert new_admin.json()["role"] == "ADMIN"
    assert_problem(await client.post("/admin/register", json=data, headers=bearer(admin_token)), 409)
    invalid = assert_problem(
        await client.post("/admin/register", json=data | {"name": ""}, headers=bearer(admin_token)), 422
    )
    assert [error["field"] for error in invalid["errors"]] == ["name"]


def _token(
    keys: SigningKeys,
    account_id: str,
    *,
    now: datetime,
    audience: str = "tickethub",
    issuer: str = "tickethub-users",
) -> str:
    account = Account(id=UUID(account_id), email="ann@example.com", name="Ann", role=Role.USER)
    policy = TokenPolicy(issuer=issuer, audience=audience, ttl_seconds=900)
    return keys.sign(access_token_claims(account, policy, now=now, token_id=uuid4()))


async def test_bad_tokens_are_401(client: httpx.AsyncClient, signing_keys: SigningKeys) -> None:
    account_id = (await register(client))["id"]
    now = datetime.now(UTC)
    assert (
        await client.get("/users/me", headers=bearer(_token(signing_keys, account_id, now=now)))
    ).status_code == 200

    rejected = {
        "no token": {},
        "not bearer": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        "garbage": bearer("not.a.token"),
        "expired": bearer(_token(signing_keys, account_id, now=now - timedelta(hours=1))),
        "wrong audience": bearer(_token(signing_keys, account_id, now=now, audience="someone-else")),
        "wrong issuer": bearer(_token(signing_keys, account_id, now=now, issuer="evil")),
        "unknown key": bearer(_token(SigningKeys(generate_signing_key()), account_id, now=now)),
    }
    for case, headers in rejected.items():
        response = await client.get("/users/me", headers=headers)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer"), case


async def test_me_for_a_token_without_an_account_is_404(
    client: httpx.AsyncClient, signing_keys: SigningKeys
) -> None:
    token = _token(signing_keys, str(uuid4()), now=datetime.now(UTC))
    assert_problem(await client.get("/users/me", headers=bearer(token)), 404)

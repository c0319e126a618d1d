"""Signing-key rotation over real HTTP: the users app serves its JWKS on loopback, tickethub.auth verifies.

A rotation is a restart with a new JWT_SIGNING_KEY and the old public key in JWT_PREVIOUS_PUBLIC_KEYS
(README, "Rotating the signing key"); verifiers keep running through it.
"""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from tickethub.auth import JwksVerifier, TokenRejected
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.testing import AUDIENCE, ISSUER, JWKS_PATH, TokenIssuer
from users.adapters.signing_keys import SigningKeys, generate_signing_key
from users.app import create_app
from users.domain.accounts import Account, Role
from users.domain.tokens import TokenPolicy, access_token_claims
from users.settings import Settings
from users_http import assert_problem, bearer, login, register, serving_over_http

pytestmark = pytest.mark.integration


class CountingHttp:
    """An HTTP client that counts the JWKS fetches made through it."""

    def __init__(self) -> None:
        self.fetches = 0
        self.client = httpx.AsyncClient(event_hooks={"request": [self._count]})

    async def _count(self, request: httpx.Request) -> None:
        if request.url.path == JWKS_PATH:
            self.fetches += 1


def jwks_url(port: int) -> str:
    return f"http://{LOOPBACK}:{port}{JWKS_PATH}"


def verifier(port: int, **options: Any) -> JwksVerifier:
    """What every other service runs, fetching over real HTTP."""
    return JwksVerifier(jwks_url(port), issuer=ISSUER, audience=AUDIENCE, **options)


@asynccontextmanager
async def users_over_http(
    make_settings: Callable[..., Settings],
    port: int,
    *,
    jwks_http: httpx.AsyncClient | None = None,
    **env: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """The users app served by uvicorn on `port`; its own bearer checks fetch its JWKS from there too."""
    app = create_app(make_settings(JWT_JWKS_URL=jwks_url(port), **env), jwks_http=jwks_http)
    async with serving_over_http(app, port) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        yield http


def private_jwk(key: OKPKey) -> str:
    return json.dumps(key.as_dict(private=True))


def public_jwks(key: OKPKey) -> str:
    return json.dumps(SigningKeys(key).jwks())


def kid_of(token: str) -> str:
    return str(jws.extract_compact(token.encode()).protected["kid"])


async def me_status(http: httpx.AsyncClient, token: str) -> int:
    return (await http.get("/users/me", headers=bearer(token))).status_code


async def test_after_a_rotation_the_previous_keys_tokens_verify_until_they_expire(
    make_settings: Callable[..., Settings],
) -> None:
    old, new = generate_signing_key(), generate_signing_key()
    port = free_port()
    survivor = verifier(port, min_refetch_seconds=0)  # a service that keeps running through the rotation

    async with users_over_http(make_settings, port, JWT_SIGNING_KEY=private_jwk(old)) as http:
        account = await register(http)
        old_token = await login(http, account["email"])
        assert (await survivor.verify(old_token)).subject == account["id"]
    expired_old_token = SigningKeys(old).sign(
        access_token_claims(
            Account(id=UUID(account["id"]), email=account["email"], name=account["name"], role=Role.USER),
            TokenPolicy(issuer=ISSUER, audience=AUDIENCE, ttl_seconds=900),
            now=datetime.now(UTC) - timedelta(hours=1),
            token_id=uuid4(),
        )
    )

    rotated = {"JWT_SIGNING_KEY": private_jwk(new), "JWT_PREVIOUS_PUBLIC_KEYS": public_jwks(old)}
    fresh = verifier(port)
    async with users_over_http(make_settings, port, **rotated) as http:
        published = (await http.get(JWKS_PATH)).json()["keys"]
        assert [key["kid"] for key in published] == [new.kid, old.kid]
        assert not any("d" in key for key in published)  # public halves only
        new_token = await login(http, account["email"])
        assert kid_of(new_token) == new.kid

        assert (await me_status(http, old_token), await me_status(http, new_token)) == (200, 200)
        assert (await fresh.verify(old_token)).subject == account["id"]
        assert (await survivor.verify(new_token)).subject == account["id"]  # refetched for the new kid
        # ... until it expires: the previous key's signature does not outlive the token's exp.
        assert_problem(await http.get("/users/me", headers=bearer(expired_old_token)), 401)
        with pytest.raises(TokenRejected):
            await fresh.verify(expired_old_token)

    # Once ACCESS_TOKEN_TTL_SECONDS have passed the previous key is dropped, and with it its tokens.
    retired = verifier(port)
    async with users_over_http(make_settings, port, JWT_SIGNING_KEY=private_jwk(new)) as http:
        assert (await me_status(http, old_token), await me_status(http, new_token)) == (401, 200)
        with pytest.raises(TokenRejected):
            await retired.verify(old_token)
        assert (await retired.verify(new_token)).subject == account["id"]
    for each in (survivor, fresh, retired):
        await each.aclose()


async def test_a_next_key_published_ahead_is_trusted_without_a_refetch(
    make_settings: Callable[..., Settings],
) -> None:
    current, upcoming = generate_signing_key(), generate_signing_key()
    port, counting = free_port(), CountingHttp()
    service = verifier(port, http=counting.client)
    staged = {"JWT_SIGNING_KEY": private_jwk(current), "JWT_PREVIOUS_PUBLIC_KEYS": public_jwks(upcoming)}
    async with users_over_http(make_settings, port, **staged) as http:
        account = await register(http)
        assert kid_of(await login(http, account["email"])) == current.kid  # the current key still signs
        await service.verify(await login(http, account["email"]))
    switched = {"JWT_SIGNING_KEY": private_jwk(upcoming), "JWT_PREVIOUS_PUBLIC_KEYS": public_jwks(current)}
    async with users_over_http(make_settings, port, **switched) as http:
        assert (await service.verify(await login(http, account["email"]))).subject == account["id"]
    assert counting.fetches == 1
    await service.aclose()


async def test_a_foreign_key_under_an_unknown_kid_is_rejected_after_at_most_one_refetch(
    make_settings: Callable[..., Settings],
) -> None:
    port, apps_http = free_port(), CountingHttp()
    async with users_over_http(make_settings, port, jwks_http=apps_http.client) as http:
        account = await register(http)
        token = await login(http, account["email"])
        assert await me_status(http, token) == 200
        assert apps_http.fetches == 1
        forged = [TokenIssuer().token(subject=account["id"]) for _ in range(5)]  # each a new kid

        for each in forged:
            response = await http.get("/users/me", headers=bearer(each))
            assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert apps_http.fetches <= 2  # a flood of new kids: refetches are rate-limited

        # Unthrottled, the verifier still fetches once per unknown kid and then gives up.
        counting = CountingHttp()
        unthrottled = verifier(port, http=counting.client, min_refetch_seconds=0)
        assert (await unthrottled.verify(token)).subject == account["id"]
        with pytest.raises(TokenRejected, match="unknown key"):
            await unthrottled.verify(forged[0])
        assert counting.fetches == 2
        await unthrottled.aclose()


async def test_a_foreign_key_claiming_a_known_kid_is_rejected(
    make_settings: Callable[..., Settings], signing_keys: SigningKeys
) -> None:
    port, counting = free_port(), CountingHttp()
    impostor = OKPKey.generate_key("Ed25519", parameters={"kid": signing_keys.key_id})
    async with users_over_http(make_settings, port) as http:
        account = await register(http)
        token = await login(http, account["email"])
        forged = TokenIssuer().token("ADMIN", subject=account["id"], key=impostor)
        assert kid_of(forged) == kid_of(token) == signing_keys.key_id

        assert_problem(await http.get("/users/me", headers=bearer(forged)), 401)
        service = verifier(port, http=counting.client)
        assert (await service.verify(token)).role == "USER"
        with pytest.raises(TokenRejected):
            await service.verify(forged)
        assert counting.fetches == 1  # a known kid with a bad signature is no reason to refetch
        assert await me_status(http, token) == 200
        await service.aclose()

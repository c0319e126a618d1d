"""Login rate limits on a real Redis: failed attempts per account, every attempt per client address."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import pytest
from litestar import Litestar

from tickethub.stack.ports import free_port
from tickethub.testing import eventually, running
from users.settings import Settings
from users_http import asgi_client, assert_problem, build_app, register, unique_email

pytestmark = pytest.mark.integration

PASSWORD = "password-123"
WRONG = "wrong-password"


def private_address() -> str:
    """An address no other test counts against (the limits live in the Redis every test shares)."""
    n = uuid4().int
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@asynccontextmanager
async def limited_app(make_settings: Callable[..., Settings], **limits: Any) -> AsyncIterator[Litestar]:
    async with running(build_app(make_settings(**limits))) as app:
        yield app


async def attempt(client: httpx.AsyncClient, email: str, password: str = PASSWORD, **options: Any) -> int:
    response = await client.post("/auth/login", json={"email": email, "password": password}, **options)
    if response.status_code == 429:
        assert_rate_limited(response, window=3600)
    return response.status_code


def assert_rate_limited(response: httpx.Response, *, window: int) -> None:
    """A 429 problem whose Retry-After (whole seconds) is within the limit's window."""
    body = assert_problem(response, 429)
    assert body["type"] == "urn:tickethub:problem:too-many-login-attempts"
    assert 1 <= int(response.headers["retry-after"]) <= window, response.headers["retry-after"]


async def test_failed_logins_lock_the_account_until_its_window_has_passed(
    make_settings: Callable[..., Settings],
) -> None:
    window = 4
    async with (
        limited_app(
            make_settings, LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_ACCOUNT_WINDOW_SECONDS=window
        ) as app,
        asgi_client(app) as client,
    ):
        email, neighbour = unique_email("locked"), unique_email("neighbour")
        await register(client, email=email)
        await register(client, email=neighbour)

        failures = await asyncio.gather(*(attempt(client, email, WRONG) for _ in range(3)))
        assert failures == [401, 401, 401]
        locked = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert_rate_limited(locked, window=window)  # even the right password: none is checked
        assert await attempt(client, neighbour) == 200  # the same address, another account

        async def unlocked() -> bool:
            return await attempt(client, email) == 200

        await eventually(unlocked, "the account's window to pass", within=window + 10)


async def test_a_burst_of_guesses_cannot_overshoot_the_limit_known_account_or_not(
    make_settings: Callable[..., Settings],
) -> None:
    async with (
        limited_app(make_settings, LOGIN_MAX_FAILURES_PER_ACCOUNT=3) as app,
        asgi_client(app) as client,
    ):
        known, unknown = unique_email("burst"), unique_email("nobody")
        await register(client, email=known)
        for email in (known, unknown):
            # Each attempt is counted before its password is hashed, so a burst cannot slip through.
            statuses = await asyncio.gather(*(attempt(client, email, WRONG) for _ in range(10)))
            assert sorted(statuses) == [401] * 3 + [429] * 7, email
        assert await attempt(client, known) == 429


async def test_a_successful_login_forgives_the_failures_before_it(
    make_settings: Callable[..., Settings],
) -> None:
    async with (
        limited_app(make_settings, LOGIN_MAX_FAILURES_PER_ACCOUNT=3) as app,
        asgi_client(app) as client,
    ):
        email = unique_email("forgiven")
        await register(client, email=email)
        assert [await attempt(client, email, WRONG) for _ in range(2)] == [401, 401]
        assert await attempt(client, email) == 200
        assert [await attempt(client, email, WRONG) for _ in range(4)] == [401, 401, 401, 429]


async def test_every_attempt_counts_against_the_client_address(
    make_settings: Callable[..., Settings],
) -> None:
    window = 4
    limits = {"LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 3, "LOGIN_ADDRESS_WINDOW_SECONDS": window}
    spraying, elsewhere = private_address(), private_address()
    async with (
        limited_app(make_settings, **limits) as app,
        asgi_client(app, peer=spraying) as client,
        asgi_client(app, peer=elsewhere) as other_client,
    ):
        emails = [unique_email("sprayed") for _ in range(3)]
        for email in emails:
            await register(client, email=email)

        assert [await attempt(client, emails[0]), await attempt(client, emails[1], WRONG)] == [200, 401]
        assert await attempt(client, emails[2]) == 200  # the third: the limit is reached, not passed
        limited = await client.post("/auth/login", json={"email": emails[2], "password": PASSWORD})
        assert_rate_limited(limited, window=window)
        # Claiming another address does not help: this peer is no trusted proxy.
        spoofed = {"X-Forwarded-For": private_address()}
        assert await attempt(client, emails[2], headers=spoofed) == 429
        assert await attempt(other_client, emails[2]) == 200

        async def address_released() -> bool:
            return await attempt(client, emails[0]) == 200

        await eventually(address_released, "the address's window to pass", within=window + 10)


async def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    make_settings: Callable[..., Settings],
) -> None:
    proxy, client_a, client_b = "192.0.2.10", private_address(), private_address()
    settings = {"LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 2, "FORWARDED_ALLOW_IPS": "192.0.2.0/24"}
    async with (
        limited_app(make_settings, **settings) as app,
        asgi_client(app, peer=proxy) as through_proxy,
        asgi_client(app) as loopback,
    ):
        email = unique_email("proxied")
        await register(through_proxy, email=email)

        def forwarded_for(address: str) -> dict[str, dict[str, str]]:
            return {"headers": {"X-Forwarded-For": address}}

        assert [await attempt(through_proxy, email, **forwarded_for(client_a)) for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert await attempt(through_proxy, email, **forwarded_for(client_b)) == 200
        # Loopback is not among this deployment's proxies: its header is ignored, its own address counts.
        assert await attempt(loopback, email, **forwarded_for(client_b)) == 200
        assert await attempt(loopback, email, **forwarded_for(client_a)) == 200
        assert await attempt(loopback, email, **forwarded_for(client_b)) == 429


async def test_with_redis_down_login_is_503_and_everything_else_still_serves(
    make_settings: Callable[..., Settings],
) -> None:
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    async with limited_app(make_settings, REDIS_URL=nothing_listens) as app, asgi_client(app) as client:
        email = unique_email("no-redis")
        await register(client, email=email)

        response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        body = assert_problem(response, 503)
        assert body["type"] == "urn:tickethub:problem:unavailable"
        assert int(response.headers["retry-after"]) >= 1

        status = (await client.get("/users/status")).json()
        assert status["status"] == "degraded"
        assert status["checks"]["postgres"] == "ok"
        assert status["checks"]["redis"].startswith("failed")
        # Still ready: the JWKS every service verifies tokens with must not go away with Redis.
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/.well-known/jwks.json")).status_code == 200

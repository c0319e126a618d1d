"""Users service against a real PostgreSQL: one migrated database per module, apps run in the test's loop."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis

import tickethub.redis
from tickethub.auth import JwksVerifier
from tickethub.testing import Infrastructure, migrated_database, running
from users.adapters.signing_keys import SigningKeys, generate_signing_key, parse_key
from users.settings import Settings
from users_http import JWKS_URL, asgi_client, build_app, serving

ADMIN_EMAIL = "root@tickethub.test"
ADMIN_PASSWORD = "bootstrap-admin-password"


@pytest.fixture(scope="session")
def signing_key_json() -> str:
    return json.dumps(generate_signing_key().as_dict(private=True))


@pytest.fixture(scope="session")
def signing_keys(signing_key_json: str) -> SigningKeys:
    return SigningKeys(parse_key(signing_key_json, private=True))


async def _migrated(infra: Infrastructure) -> str:
    # Cloned from a template the real migrations built once: milliseconds per database.
    return await asyncio.to_thread(migrated_database, infra, "users.store.piccolo_conf")


@pytest.fixture(scope="module")
async def database_url(infra: Infrastructure) -> str:
    """The database the tests of one module share (they use distinct e-mails)."""
    return await _migrated(infra)


@pytest.fixture
async def fresh_database(infra: Infrastructure) -> str:
    """A database of the test's own, for tests that count rows."""
    return await _migrated(infra)


SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="module")
def make_settings(infra: Infrastructure, database_url: str, signing_key_json: str) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "DATABASE_URL": database_url,
            "DATABASE_POOL_MIN": 1,
            "DATABASE_POOL_MAX": 4,
            "REDIS_URL": infra.redis_url,
            "JWT_JWKS_URL": JWKS_URL,
            "JWT_SIGNING_KEY": signing_key_json,
            "TICKETHUB_BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
            "TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            # Every in-process request comes from one address; the tests of that limit set their own.
            "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 100_000,
        }
        return Settings(**(values | overrides))

    return make


@pytest.fixture
async def redis(infra: Infrastructure) -> AsyncIterator[Redis]:
    """A client of the Redis the apps count login attempts in, for a context a test builds itself."""
    client = tickethub.redis.connect(infra.redis_url, decode_responses=False)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def run_app() -> Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]:
    """Starts an app (its lifespan: pool, bootstrap admin) and gives a client; stops it on exit."""
    return serving


@pytest.fixture(scope="session")
def bootstrap_admin() -> tuple[str, str]:
    return ADMIN_EMAIL, ADMIN_PASSWORD


@pytest.fixture(scope="module")
async def app(make_settings: SettingsFactory) -> AsyncIterator[Litestar]:
    async with running(build_app(make_settings())) as app:
        yield app


@pytest.fixture(scope="module")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
async def jwks_verifier(app: Litestar) -> AsyncIterator[JwksVerifier]:
    """What every other service runs: tickethub.auth's verifier, fetching this app's JWKS."""
    async with asgi_client(app) as http:
        yield JwksVerifier(JWKS_URL, issuer="tickethub-users", audience="tickethub", http=http)

"""pytest plugin: real servers (`infra`), signed tokens (`issuer`, `jwks_url`), the app's `client` and `db`.

A suite's conftest provides what is its own (`settings`, `app`, ...) and overrides any of these.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Protocol

import asyncpg
import httpx
import pytest
from litestar import Litestar

from tickethub.testing.apps import client_of
from tickethub.testing.infra import Infrastructure, RunningInfrastructure, shared_infrastructure
from tickethub.testing.tokens import TokenIssuer, serving_jwks


class DatabaseConfigured(Protocol):
    """What the `db` fixture needs of a suite's `settings`."""

    @property
    def database_url(self) -> str: ...


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    shared = shared_infrastructure()
    if shared is not None:
        yield shared
        return
    running = RunningInfrastructure(Path(tmp_path_factory.mktemp("infra")))
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture(scope="session")
def issuer() -> TokenIssuer:
    """Signs tokens the way the users service does, with a key of this run's own."""
    return TokenIssuer()


@pytest.fixture(scope="session")
def jwks_url(issuer: TokenIssuer) -> Iterator[str]:
    """Where `issuer`'s public keys are served (real HTTP on loopback), for a service's JWT_JWKS_URL."""
    with serving_jwks(issuer.jwks()) as url:
        yield url


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Calls the suite's `app` fixture in-process, in the test's own event loop."""
    async with client_of(app) as http:
        yield http


@pytest.fixture(scope="session")
async def db(settings: DatabaseConfigured) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the tests' own to the suite's database, to check what the app wrote."""
    connection = await asyncpg.connect(settings.database_url)
    try:
        yield connection
    finally:
        await connection.close()

"""The catalog app on real PostgreSQL and Kafka, called in-process, with genuinely signed tokens.

Tokens come from tickethub.testing's `issuer`, whose JWKS (`jwks_url`) is served over real HTTP on
loopback, so the app's own JwksVerifier fetches and checks them exactly as in production.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from catalog.app import create_app, create_context
from catalog.service.context import CatalogContext
from catalog.settings import Settings
from catalog.store.tables import Show
from tickethub.db import UnitOfWork
from tickethub.outbox import OutboxMessage
from tickethub.testing import Infrastructure, TokenIssuer, running, service_environment


@pytest.fixture(scope="session")
def settings(infra: Infrastructure, jwks_url: str) -> Settings:
    environment = service_environment(infra, "catalog", jwks_url=jwks_url)
    return Settings(**environment, CATALOG_OUTBOX_POLL_SECONDS=0.2)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture
def context(app: Litestar) -> CatalogContext:
    """The use cases' context on the app's own database, for steps a test takes itself."""
    return create_context(Show._meta.db)


class _Rollback(Exception):
    """Ends the use case's transaction without committing."""


class RolledBackUnitOfWork(UnitOfWork):
    """A unit of work whose transaction is rolled back where it would commit, once it has read the outbox.

    Nothing is committed, so the running relay cannot publish (and delete) the rows before the test
    reads them, and the test sees whether what the use case wrote vanishes with its events.
    """

    def __init__(self, context: CatalogContext) -> None:
        super().__init__(context.uow.engine)
        self.outbox: list[dict[str, Any]] = []  # every outbox row the transaction saw at its end

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self._rolled_back()

    @asynccontextmanager
    async def _rolled_back(self) -> AsyncIterator[None]:
        try:
            async with self.engine.transaction(allow_nested=False):
                yield
                self.outbox = await OutboxMessage.select().order_by(OutboxMessage.id)
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def rolled_back(context: CatalogContext) -> RolledBackUnitOfWork:
    return RolledBackUnitOfWork(context)


@pytest.fixture(scope="session")
def admin(issuer: TokenIssuer) -> dict[str, str]:
    return issuer.headers("ADMIN")


class Catalog:
    """Builds catalog entities through the public API (each test makes its own, so tests stay apart)."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin

    async def _created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def movie(self, *, duration: int = 120, title: str = "The Long Take") -> dict[str, Any]:
        return await self._created("/movies", {"title": title, "durationMinutes": duration})

    async def theatre(self, *, city: str | None = None) -> dict[str, Any]:
        city = city or "City-" + uuid.uuid4().hex[:8]
        return await self._created("/theatres", {"name": "Odeon", "city": city})

    async def hall(
        self, *, city: str | None = None, rows: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        theatre = await self.theatre(city=city)
        hall = await self._created(f"/theatres/{theatre['id']}/halls", {"name": "Hall 1"})
        rows = (
            rows
            if rows is not None
            else [
                {"name": "A", "count": 12, "category": "STANDARD"},
                {"name": "B", "count": 4, "category": "VIP"},
            ]
        )
        if rows:
            response = await self.client.put(
                f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=self.admin
            )
            assert response.status_code == 200, response.text
        return {**hall, "theatre": theatre}

    def show_body(
        self, movie: dict[str, Any], hall: dict[str, Any], starts_at: datetime, **changes: Any
    ) -> dict[str, Any]:
        body = {
            "movieId": movie["id"],
            "hallId": hall["id"],
            "startsAt": starts_at.isoformat(),
            "prices": {"STANDARD": "250.00", "VIP": "400.00"},
        }
        return body | changes

    async def show(self, movie: dict[str, Any], hall: dict[str, Any], starts_at: datetime) -> dict[str, Any]:
        return await self._created("/shows", self.show_body(movie, hall, starts_at))


@pytest.fixture
def catalog(client: httpx.AsyncClient, admin: dict[str, str]) -> Catalog:
    return Catalog(client, admin)


def future(days: float = 3, *, hour: int = 18) -> datetime:
    """A start time safely in the future, on a whole hour (UTC)."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def starts_at() -> datetime:
    return future()

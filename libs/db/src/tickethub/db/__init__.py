"""PostgreSQL through Piccolo: one engine per service process, bound explicitly to its tables.

Binding the engine in code (rather than through a global ``piccolo_conf``) lets a test point a
service at its own throw-away database, and keeps the pool's lifetime inside the app's lifespan.
"""

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from tickethub.db.schema import SchemaNotMigrated, require_migrated
from tickethub.db.unit_of_work import UnitOfWork
from tickethub.settings import DatabaseSettings
from tickethub.startup import until_available

__all__ = [
    "TRANSIENT_ERRORS",
    "UnitOfWork",
    "bind_tables",
    "database_lifespan",
    "make_engine",
    "ping",
    "violates",
]

# PostgreSQL restarting, unreachable or aborting a transaction to resolve a conflict: worth retrying
# (a message handler retries these without limit rather than dead-letter a message that will succeed).
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TransactionRollbackError,
)
# What connecting raises while PostgreSQL (or the network path to it) is still coming up.
_NOT_YET_REACHABLE: tuple[type[BaseException], ...] = (
    *TRANSIENT_ERRORS,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,  # refused, unreachable, no such name yet
    TimeoutError,
)


class _Engine(PostgresEngine):
    """Piccolo's engine without its start-up probe, which connects synchronously while the app is
    being built (and only warns): readiness checks and the first query tell the truth instead."""

    async def check_version(self) -> None:
        return None

    async def prep_database(self) -> None:
        return None


def make_engine(database_url: str) -> PostgresEngine:
    # No extensions: gen_random_uuid() is built in since PostgreSQL 13.
    return _Engine(config={"dsn": database_url}, extensions=())


def bind_tables(engine: PostgresEngine, tables: Iterable[type[Table]]) -> None:
    for table in tables:
        table._meta.db = engine


async def _keep_session(_: asyncpg.Connection) -> None:
    """Skips asyncpg's server-side session reset when a connection returns to the pool.

    asyncpg still rolls back a forgotten transaction itself; the skipped round trip (RESET ALL,
    UNLISTEN *, advisory unlocks) undoes things no pooled connection here ever does, and costs a
    query per checkout on the hottest path.
    """


def database_lifespan(
    engine: PostgresEngine, settings: DatabaseSettings, *, migrated_apps: Sequence[str] = ()
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Opens the connection pool for the app's lifetime (without it every query connects anew), once
    PostgreSQL accepts connections and every migration of `migrated_apps` (Piccolo app modules, as the
    service's piccolo_conf lists them) has run: a pod may start before its database and before the
    migrations Job, and must neither crash nor serve on an old schema meanwhile."""

    async def open_pool() -> None:
        await engine.start_connection_pool(
            min_size=settings.database_pool_min, max_size=settings.database_pool_max, reset=_keep_session
        )

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        patience = settings.startup_wait_seconds
        await until_available("PostgreSQL", open_pool, transient=_NOT_YET_REACHABLE, patience=patience)
        try:
            if migrated_apps:
                await until_available(
                    "the database's migrations",
                    partial(require_migrated, engine, migrated_apps),
                    transient=(SchemaNotMigrated, *TRANSIENT_ERRORS),
                    patience=patience,
                )
            yield
        finally:
            await engine.close_connection_pool()

    return lifespan


def violates(exc: BaseException, constraint: str) -> bool:
    """True when `exc` (or what it wraps) violates the named constraint or unique index."""
    while exc is not None:
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            return getattr(exc, "constraint_name", None) == constraint
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


async def ping(engine: PostgresEngine) -> None:
    await engine.run_ddl("SELECT 1")

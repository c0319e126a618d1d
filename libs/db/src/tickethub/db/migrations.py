"""Hand-written SQL migrations run by Piccolo's migration runner.

Schemas are written as SQL, not auto-generated: partial unique indexes, triggers and checks are the
final guards of our invariants and must read exactly as PostgreSQL will enforce them.
"""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def sql_migration(
    *, app: str, migration_id: str, description: str, sql: str
) -> Callable[[], Awaitable[MigrationManager]]:
    """The `forwards` function of a migration module that runs `sql` in the migration's transaction."""

    async def apply() -> None:
        engine = engine_finder()
        transaction = engine.current_transaction.get() if engine else None
        if transaction is None:
            raise RuntimeError("SQL migrations run inside the migration runner's transaction")
        await transaction.connection.execute(sql)  # simple protocol: several statements at once

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name=app, description=description)
        manager.add_raw(apply)
        return manager

    return forwards

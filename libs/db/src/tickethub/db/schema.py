"""Whether the database has every migration a service's code expects (Piccolo's `migration` table)."""

import importlib
from collections.abc import Sequence

import asyncpg
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.engine.postgres import PostgresEngine


class SchemaNotMigrated(Exception):
    """Migrations the code expects have not run yet (the migrations Job is still at work)."""


def expected_migrations(app_modules: Sequence[str]) -> set[tuple[str, str]]:
    """(app name, migration id) of every migration of the Piccolo apps `app_modules` name."""
    expected = set()
    for module in app_modules:
        config = importlib.import_module(module).APP_CONFIG
        ids = BaseMigrationManager().get_migration_modules(config.migrations_folder_path)
        expected |= {(config.app_name, migration_id) for migration_id in ids}
    return expected


async def require_migrated(engine: PostgresEngine, app_modules: Sequence[str]) -> None:
    """Raises SchemaNotMigrated unless every migration of `app_modules` has run."""
    try:
        rows = await engine.run_ddl("SELECT app_name, name FROM migration")
    except asyncpg.UndefinedTableError as exc:  # no migration has run at all
        raise SchemaNotMigrated("no migration has run") from exc
    missing = expected_migrations(app_modules) - {(row["app_name"], row["name"]) for row in rows}
    if missing:
        raise SchemaNotMigrated(f"not yet run: {', '.join(sorted(f'{app} {id_}' for app, id_ in missing))}")

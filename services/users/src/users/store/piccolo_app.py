"""Piccolo app of the users service: its tables and its SQL migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from users.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="users",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
)

# Every Piccolo app whose migrations this service's database runs, in order (piccolo_conf registers
# them; the app waits for all of them at start).
MIGRATED_APPS = ("users.store.piccolo_app",)

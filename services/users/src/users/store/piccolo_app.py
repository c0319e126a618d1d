"""Piccolo app of the users service: its tables and its SQL migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from users.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="users",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=TABLES,
)

"""Piccolo app of the catalog service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from catalog.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)

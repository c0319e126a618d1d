"""Piccolo app of the booking service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from booking.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)

"""Piccolo app of the notification service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from notification.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="notification",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)

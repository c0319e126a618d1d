"""Piccolo app of the payment service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payment.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="payment",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)

"""Piccolo app of the outbox: every service that publishes events lists it in its registry."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tickethub.outbox.table import OutboxMessage

APP_CONFIG = AppConfig(
    app_name="outbox",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[OutboxMessage],
)

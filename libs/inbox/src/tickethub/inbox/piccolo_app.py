"""Piccolo app of the inbox: every service that consumes events lists it in its registry."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tickethub.inbox.inbox import InboxMessage

APP_CONFIG = AppConfig(
    app_name="inbox",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[InboxMessage],
)

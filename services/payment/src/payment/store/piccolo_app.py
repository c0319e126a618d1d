"""Piccolo app of the payment service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from payment.store.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="payment",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)

# Every Piccolo app whose migrations this service's database runs, in order (piccolo_conf registers
# them; the app waits for all of them at start).
MIGRATED_APPS = ("tickethub.outbox.piccolo_app", "tickethub.inbox.piccolo_app", "payment.store.piccolo_app")

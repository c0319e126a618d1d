"""Builds the notification service: Kafka handlers that e-mail booking outcomes, plus health."""

from litestar import Litestar
from piccolo.engine.postgres import PostgresEngine

from notification.adapters.mailer import TRANSIENT_ERRORS as MAIL_TRANSIENT_ERRORS
from notification.adapters.mailer import Mailer, SmtpMailer
from notification.messaging.handlers import CONSUMED_TOPICS, register_handlers
from notification.service.context import NotificationContext
from notification.settings import Settings
from notification.store.notifications import NotificationStore
from notification.store.piccolo_app import MIGRATED_APPS
from notification.store.tables import TABLES
from tickethub.db import TRANSIENT_ERRORS, UnitOfWork, bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app


def create_context(settings: Settings, engine: PostgresEngine, mailer: Mailer) -> NotificationContext:
    return NotificationContext(
        uow=UnitOfWork(engine), notifications=NotificationStore(), mailer=mailer, settings=settings
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()  # the environment, validated at start
    engine = make_engine(settings.database_url)
    bind_tables(engine, [*TABLES, InboxMessage])
    mailer = SmtpMailer(settings)
    # Retried until they go away rather than dead-lettered: PostgreSQL being down, or the mail server
    # down or deferring.
    transient = (*TRANSIENT_ERRORS, *MAIL_TRANSIENT_ERRORS)
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=transient)
    register_handlers(broker, create_context(settings, engine, mailer))
    # No context for create_service_app: notification serves no HTTP route that would be given one.
    return create_service_app(
        service="notification",
        settings=settings,
        route_handlers=[],
        description="E-mails every booking outcome (confirmed, cancelled, expired) to the buyer, once.",
        lifespan=[
            database_lifespan(engine, settings, migrated_apps=MIGRATED_APPS),
            broker_lifespan(broker, settings, CONSUMED_TOPICS),
        ],
        readiness={"postgres": lambda: ping(engine), "smtp": mailer.ping},
    )

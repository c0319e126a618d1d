"""Builds the notification service: Kafka handlers that e-mail booking outcomes, plus health."""

from litestar import Litestar

from notification.mailer import SmtpMailer
from notification.messaging.handlers import CONSUMED_TOPICS, TRANSIENT_ERRORS, register_handlers
from notification.settings import Settings
from notification.store.tables import TABLES
from tickethub.db import bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()  # the environment, validated at start
    engine = make_engine(settings.database_url)
    bind_tables(engine, [*TABLES, InboxMessage])
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=TRANSIENT_ERRORS)
    mailer = SmtpMailer(settings)
    register_handlers(broker, engine=engine, mailer=mailer, sender=settings.mail_from)
    return create_service_app(
        service="notification",
        settings=settings,
        route_handlers=[],
        description="E-mails every booking outcome (confirmed, cancelled, expired) to the buyer, once.",
        lifespan=[database_lifespan(engine, settings), broker_lifespan(broker, settings, CONSUMED_TOPICS)],
        readiness={"postgres": lambda: ping(engine), "smtp": mailer.ping},
    )

"""Builds the payment service: Kafka handlers that charge and refund, its outbox relay, GET /payments."""

from litestar import Litestar
from piccolo.engine.postgres import PostgresEngine

from payment.adapters.provider import MockPaymentProvider
from payment.api.controllers import PaymentController
from payment.messaging.handlers import CONSUMED_TOPICS, register_handlers
from payment.service.context import PaymentContext
from payment.settings import Settings
from payment.store.payments import PaymentStore
from payment.store.piccolo_app import MIGRATED_APPS
from payment.store.tables import TABLES
from tickethub.auth import BearerAuth
from tickethub.contracts import published_by
from tickethub.db import TRANSIENT_ERRORS, UnitOfWork, bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.outbox import OutboxMessage, OutboxRelay, relay_lifespan
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app

PUBLISHED_TOPICS = published_by("payment")


def create_context(settings: Settings, engine: PostgresEngine) -> PaymentContext:
    return PaymentContext(
        uow=UnitOfWork(engine),
        payments=PaymentStore(),
        provider=MockPaymentProvider(
            latency_ms=settings.mock_latency_ms, failure_rate=settings.mock_failure_rate
        ),
        settings=settings,
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()  # the environment, validated at start
    engine = make_engine(settings.database_url)
    bind_tables(engine, [*TABLES, InboxMessage, OutboxMessage])
    context = create_context(settings, engine)
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=TRANSIENT_ERRORS)
    register_handlers(broker, context)
    auth = BearerAuth.from_settings(settings)

    return create_service_app(
        service="payment",
        settings=settings,
        route_handlers=[PaymentController],
        description="Payments of bookings: one charge per booking through the payment provider, "
        "refunds of cancelled bookings, and the caller's payment history.",
        context=context,
        lifespan=[
            auth.lifespan,
            database_lifespan(engine, settings, migrated_apps=MIGRATED_APPS),
            broker_lifespan(broker, settings, [*CONSUMED_TOPICS, *PUBLISHED_TOPICS]),
            relay_lifespan(OutboxRelay(engine, broker)),
        ],
        unavailable=TRANSIENT_ERRORS,  # PostgreSQL away: 503, nothing changed
        readiness={"postgres": lambda: ping(engine)},
        middleware=[auth.middleware],
    )

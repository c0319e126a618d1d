"""Builds the booking service: HTTP API, saga consumers, outbox relay and the hold sweeper."""

from functools import partial

from litestar import Litestar
from piccolo.engine.postgres import PostgresEngine
from redis.asyncio import Redis

import tickethub.redis
from booking.adapters.holds import SeatHolds
from booking.api.controllers import BookingController
from booking.api.internal import ShowSweepController
from booking.messaging.handlers import CONSUMED, register_handlers
from booking.service.context import BookingContext
from booking.service.sweeping import sweep_forever
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.idempotency import IdempotencyKeys
from booking.store.piccolo_app import MIGRATED_APPS
from booking.store.shows import ShowStore
from booking.store.tables import TABLES
from tickethub.auth import BearerAuth
from tickethub.contracts import published_by
from tickethub.db import TRANSIENT_ERRORS, UnitOfWork, bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.outbox import OutboxMessage, OutboxRelay, relay_lifespan
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app
from tickethub.web.lifespans import background_task

PUBLISHED = published_by("booking")


def create_context(settings: Settings, engine: PostgresEngine, redis: Redis) -> BookingContext:
    return BookingContext(
        uow=UnitOfWork(engine),
        bookings=BookingStore(),
        shows=ShowStore(cache_seconds=settings.show_cache_seconds),
        idempotency_keys=IdempotencyKeys(),
        holds=SeatHolds(redis),
        settings=settings,
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    bind_tables(engine, (*TABLES, OutboxMessage, InboxMessage))
    redis = tickethub.redis.connect(settings.redis_url)  # hold scripts are idempotent per owner
    context = create_context(settings, engine, redis)
    transient = (*TRANSIENT_ERRORS, *tickethub.redis.TRANSIENT_ERRORS)  # outages, not failures
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=transient)
    register_handlers(broker, context)
    auth = BearerAuth.from_settings(settings)

    return create_service_app(
        service="booking",
        settings=settings,
        description="Seat holds and bookings; orchestrates the booking saga.",
        route_handlers=[BookingController, ShowSweepController],
        context=context,
        lifespan=[
            auth.lifespan,
            tickethub.redis.closing(redis),
            database_lifespan(engine, settings, migrated_apps=MIGRATED_APPS),
            broker_lifespan(broker, settings, (*PUBLISHED, *CONSUMED)),
            relay_lifespan(OutboxRelay(engine, broker)),
            background_task("hold-sweeper", partial(sweep_forever, context)),
        ],
        unavailable=transient,  # PostgreSQL or Redis away: 503, nothing changed
        readiness={"postgres": lambda: ping(engine), "redis": redis.ping},
        middleware=[auth.middleware],
    )

"""Builds the booking service: HTTP API, saga consumers, outbox relay and the hold sweeper."""

from datetime import timedelta

from litestar import Litestar
from litestar.di import Provide

import tickethub.redis
from booking.api.cancelling import CancellationDesk
from booking.api.controllers import BookingController
from booking.api.internal import ShowSweepController, ShowSweeper
from booking.api.placing import BookingDesk
from booking.messaging.handlers import CONSUMED, register_handlers, sweeper_lifespan
from booking.messaging.saga import BookingSaga
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds
from booking.store.tables import TABLES
from tickethub.auth import BearerAuth
from tickethub.contracts import published_by
from tickethub.db import TRANSIENT_ERRORS, bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.outbox import OutboxMessage, OutboxRelay, relay_lifespan
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app

PUBLISHED = published_by("booking")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    bind_tables(engine, (*TABLES, OutboxMessage, InboxMessage))
    redis = tickethub.redis.connect(settings.redis_url)  # hold scripts are idempotent per owner
    holds = SeatHolds(redis)
    store = BookingStore(engine, show_cache_seconds=settings.show_cache_seconds)
    saga = BookingSaga(store)
    desk = BookingDesk(store, holds, settings)
    cancellations = CancellationDesk(store, saga, holds)
    sweeper = ShowSweeper(store, saga, holds)
    transient = (*TRANSIENT_ERRORS, *tickethub.redis.TRANSIENT_ERRORS)  # outages, not failures
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=transient)
    register_handlers(broker, saga, holds)
    auth = BearerAuth.from_settings(settings)

    return create_service_app(
        service="booking",
        settings=settings,
        description="Seat holds and bookings; orchestrates the booking saga.",
        route_handlers=[BookingController, ShowSweepController],
        dependencies={
            "store": Provide(lambda: store, sync_to_thread=False),
            "desk": Provide(lambda: desk, sync_to_thread=False),
            "cancellations": Provide(lambda: cancellations, sync_to_thread=False),
            "sweeper": Provide(lambda: sweeper, sync_to_thread=False),
        },
        lifespan=[
            auth.lifespan,
            tickethub.redis.closing(redis),
            database_lifespan(engine, settings),
            broker_lifespan(broker, settings, (*PUBLISHED, *CONSUMED)),
            relay_lifespan(OutboxRelay(engine, broker)),
            sweeper_lifespan(
                saga,
                holds,
                settings.sweep_interval_seconds,
                idempotency_keys_kept=timedelta(hours=settings.idempotency_key_hours),
            ),
        ],
        unavailable=transient,  # PostgreSQL or Redis away: 503, nothing changed
        readiness={"postgres": lambda: ping(engine), "redis": redis.ping},
        middleware=[auth.middleware],
    )

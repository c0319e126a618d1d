"""Builds the booking service: HTTP API, saga consumers, outbox relay and the hold sweeper."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from booking.api.controllers import BookingController
from booking.messaging.handlers import CONSUMED, register_handlers, sweeper_lifespan
from booking.messaging.saga import BookingSaga
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds
from booking.store.tables import TABLES
from tickethub.auth import BearerAuth
from tickethub.contracts import (
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    BOOKING_REQUESTED,
    REFUND_REQUESTED,
)
from tickethub.db import TRANSIENT_ERRORS, bind_tables, database_lifespan, make_engine, ping
from tickethub.inbox import InboxMessage
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.outbox import OutboxMessage, OutboxRelay, relay_lifespan
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app

PUBLISHED = (BOOKING_REQUESTED, BOOKING_CONFIRMED, BOOKING_CANCELLED, BOOKING_EXPIRED, REFUND_REQUESTED)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    bind_tables(engine, (*TABLES, OutboxMessage, InboxMessage))
    # A connection left stale by a Redis restart is re-made at once; a real outage still fails fast
    # (503). Safe to repeat: every hold script is idempotent for its owner token.
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    holds = SeatHolds(redis)
    store = BookingStore(engine, show_cache_seconds=settings.show_cache_seconds)
    saga = BookingSaga(store)
    transient = (*TRANSIENT_ERRORS, RedisConnectionError, RedisTimeoutError)  # outages, not failures
    broker = create_broker(settings, configure_telemetry(settings), transient_errors=transient)
    register_handlers(broker, saga, holds)
    auth = BearerAuth.from_settings(settings)

    @asynccontextmanager
    async def close_redis(_: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await redis.aclose()

    return create_service_app(
        service="booking",
        settings=settings,
        description="Seat holds and bookings; orchestrates the booking saga.",
        route_handlers=[BookingController],
        dependencies={
            "store": Provide(lambda: store, sync_to_thread=False),
            "holds": Provide(lambda: holds, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
        },
        lifespan=[
            auth.lifespan,
            close_redis,
            database_lifespan(engine, settings),
            broker_lifespan(broker, settings, (*PUBLISHED, *CONSUMED)),
            relay_lifespan(OutboxRelay(engine, broker)),
            sweeper_lifespan(saga, holds, settings.sweep_interval_seconds),
        ],
        unavailable=transient,  # PostgreSQL or Redis away: 503, nothing changed
        readiness={"postgres": lambda: ping(engine), "redis": redis.ping},
        middleware=[auth.middleware],
    )

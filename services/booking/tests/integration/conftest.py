"""The booking app on real PostgreSQL, Redis and Kafka, called in-process, with genuinely signed tokens.

Tests talk to it as its neighbours do: HTTP for buyers, and catalog's and payment's events published to
the real topics. "Handled" is observed, never slept for: booking's consumer group has committed past
the message and its outbox is empty (every event it recorded is on Kafka).
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from booking.app import create_app, create_context
from booking.messaging.handlers import GROUP
from booking.service.context import BookingContext
from booking.settings import Settings
from booking.store.tables import Booking
from tickethub.contracts import SHOW_PUBLISHED, SeatSnapshot, ShowPublished
from tickethub.testing import Infrastructure, KafkaProbe, running, service_environment


@pytest.fixture(scope="session")
def settings(infra: Infrastructure, jwks_url: str) -> Settings:
    return Settings(
        **service_environment(infra, "booking", jwks_url=jwks_url),
        REDIS_URL=infra.redis_url,
        BOOKING_SHOW_CACHE_SECONDS=0,  # a test changes the read model and reads it back at once
        BOOKING_SWEEP_INTERVAL_SECONDS=0,  # tests expire holds themselves, when they choose
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture(scope="session")
async def kafka(app: Litestar, infra: Infrastructure, db: asyncpg.Connection) -> AsyncIterator[KafkaProbe]:
    """Publishes as catalog's and payment's relays do; settled once booking handled it all."""
    async with KafkaProbe(infra.kafka_bootstrap_servers, group=GROUP, outbox=db) as bus:
        yield bus


@pytest.fixture
async def redis(infra: Infrastructure) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def context(app: Litestar, settings: Settings, redis: Redis) -> BookingContext:
    """The use cases' context on the app's own database, for steps a test takes itself (a sweep)."""
    return create_context(settings, Booking._meta.db, redis)


@pytest.fixture
def publish_show(kafka: KafkaProbe) -> Callable[[list[str]], Awaitable[str]]:
    """Publishes a new show as catalog does (the seats given, each STANDARD at 250.00, starting in two
    days, holds of 600 s) and waits until booking has it; returns its id."""

    async def publish(seats: list[str]) -> str:
        show = str(uuid.uuid4())
        event = ShowPublished(
            show_id=show,
            revision=1,
            status="SCHEDULED",
            movie_id=str(uuid.uuid4()),
            movie_title="The Long Take",
            theatre_id=str(uuid.uuid4()),
            theatre_name="Odeon",
            city="Pune",
            hall_id=str(uuid.uuid4()),
            hall_name="Hall 1",
            starts_at=datetime.now(UTC) + timedelta(days=2),
            hold_seconds=600,
            prices={"STANDARD": Decimal("250.00")},
            seats=[SeatSnapshot(seat_id=seat, category="STANDARD") for seat in seats],
        )
        await kafka.publish(SHOW_PUBLISHED, event, key=show)
        await kafka.settled()
        return show

    return publish

"""The booking app on real PostgreSQL, Redis and Kafka, called in-process, with genuinely signed tokens.

Tests talk to it as its neighbours do: HTTP for buyers, and catalog's and payment's events published to
the real topics. "Handled" is observed, never slept for: booking's consumer group has committed past
the message and its outbox is empty (every event it recorded is on Kafka).
"""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from booking.app import create_app
from booking.messaging.handlers import GROUP
from booking.settings import Settings
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

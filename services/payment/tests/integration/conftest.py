"""The payment app on real PostgreSQL and Kafka, called in-process, with genuinely signed tokens.

Tests talk to the app the way the saga does: they publish BookingRequested / RefundRequested to the
real topics and read PaymentSucceeded / PaymentFailed / PaymentRefunded back from the real topics.
"Handled" is observed, never slept for: the payment consumer group's committed offset has passed the
message, and the outbox is empty (so every outcome the handler recorded is on Kafka).
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from litestar import Litestar

from payment.app import create_app, create_context
from payment.messaging.handlers import GROUP
from payment.service.context import PaymentContext
from payment.settings import Settings
from payment.store.tables import Payment
from tickethub.contracts import BookingRequested
from tickethub.testing import Infrastructure, KafkaProbe, running, service_environment


@pytest.fixture(scope="session")
def settings(infra: Infrastructure, jwks_url: str) -> Settings:
    return Settings(**service_environment(infra, "payment", jwks_url=jwks_url))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture(scope="session")
async def kafka(app: Litestar, infra: Infrastructure, db: asyncpg.Connection) -> AsyncIterator[KafkaProbe]:
    """Publishes as booking's relay does; settled once payment handled it and its outbox is drained."""
    async with KafkaProbe(infra.kafka_bootstrap_servers, group=GROUP, outbox=db) as bus:
        yield bus


@pytest.fixture
def context(app: Litestar, settings: Settings) -> PaymentContext:
    """The use cases' context on the app's own engine (its pool started by the app's lifespan), for
    steps a test takes itself with a provider of its own (see `dataclasses.replace`)."""
    return create_context(settings, Payment._meta.db)


class BookingRequests:
    """Makes BookingRequested events as booking would (a new booking each time unless one is given)."""

    def __call__(
        self,
        *,
        booking_id: str | None = None,
        token: str | None = None,
        user_id: str = "u-1",
        amount: str = "500.00",
    ) -> BookingRequested:
        return BookingRequested(
            booking_id=booking_id or str(uuid.uuid4()),
            user_id=user_id,
            show_id=str(uuid.uuid4()),
            seats=["A1", "A2"],
            amount=Decimal(amount),
            currency="INR",
            payment_token=token,
            hold_expires_at=datetime.now(UTC) + timedelta(minutes=10),
        )


@pytest.fixture
def booking_requested() -> BookingRequests:
    return BookingRequests()

"""The notification app on real PostgreSQL, Kafka and SMTP (Mailpit), run in-process.

Tests publish booking outcomes to the real topics and look for the e-mails through the SMTP catcher's
HTTP API. "Handled" is observed, never slept for: the notification consumer group's committed offset
has passed every published message.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from litestar import Litestar

from notification.app import create_app
from notification.messaging.handlers import GROUP
from notification.settings import Settings
from tickethub.contracts import BookingOutcome, Event, Topic
from tickethub.testing import Infrastructure, client_of, migrated_database, running

DEADLINE_SECONDS = 30.0


async def eventually(
    condition: Callable[[], Awaitable[bool]], what: str, within: float = DEADLINE_SECONDS
) -> None:
    """Polls `condition` until it holds; fails naming `what` when the deadline passes."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
def settings(infra: Infrastructure) -> Settings:
    return Settings(
        DATABASE_URL=migrated_database(infra, "notification.store.piccolo_conf"),
        KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers,
        SMTP_HOST=infra.smtp_host,
        SMTP_PORT=infra.smtp_port,
        OTEL_SERVICE_NAME="notification",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(app) as http:
        yield http


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(settings.database_url)
    try:
        yield connection
    finally:
        await connection.close()


class Kafka:
    """Publishes events as booking's outbox relay does, and tells when notification has handled them."""

    def __init__(self, bootstrap: str) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.published: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        await self.producer.start()
        await self.admin.start()

    async def stop(self) -> None:
        await self.producer.stop()
        await self.admin.close()

    async def publish(self, topic: Topic, event: Event, key: str) -> None:
        metadata = await self.producer.send_and_wait(
            topic.name,
            event.model_dump_json().encode(),
            key=key.encode(),
            headers=[("content-type", b"application/json"), ("event-id", str(event.event_id).encode())],
        )
        partition = TopicPartition(metadata.topic, metadata.partition)
        self.published[partition] = max(self.published.get(partition, -1), metadata.offset)

    async def settled(self) -> None:
        """notification has committed past everything published so far (so it handled it)."""

        async def handled() -> bool:
            committed = await self.admin.list_consumer_group_offsets(GROUP, partitions=list(self.published))
            return all(
                partition in committed and committed[partition].offset > offset
                for partition, offset in self.published.items()
            )

        await eventually(handled, "notification to commit past every published message")


@pytest.fixture(scope="session")
async def kafka(app: Litestar, infra: Infrastructure) -> AsyncIterator[Kafka]:
    bus = Kafka(infra.kafka_bootstrap_servers)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


class Mailbox:
    """The SMTP catcher's HTTP API (Mailpit): what reached the SMTP server, searched by recipient."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=api_url, timeout=5.0)

    async def messages_to(self, recipient: str) -> list[dict[str, Any]]:
        response = await self.http.get("/api/v1/search", params={"query": f'to:"{recipient}"', "limit": 50})
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def message(self, message_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/api/v1/message/{message_id}")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def wait_for(self, recipient: str, count: int = 1) -> list[dict[str, Any]]:
        async def arrived() -> bool:
            return len(await self.messages_to(recipient)) >= count

        await eventually(arrived, f"{count} e-mail(s) to {recipient}")
        return await self.messages_to(recipient)


@pytest.fixture(scope="session")
async def mailbox(infra: Infrastructure) -> AsyncIterator[Mailbox]:
    box = Mailbox(infra.mail_api_url)
    try:
        yield box
    finally:
        await box.http.aclose()


class Outcomes:
    """Makes booking outcome events for a fresh booking and a fresh recipient each time."""

    def __call__(self, kind: type[BookingOutcome], **extra: Any) -> BookingOutcome:
        return kind(
            booking_id=str(uuid.uuid4()),
            user_id=str(uuid.uuid4()),
            user_email=f"buyer-{uuid.uuid4().hex[:12]}@example.com",
            show_id=str(uuid.uuid4()),
            movie_title="The Long Night",
            starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=2),
            seats=["C7", "C8"],
            amount=Decimal("640.00"),
            currency="INR",
            **extra,
        )


@pytest.fixture
def outcome() -> Outcomes:
    return Outcomes()

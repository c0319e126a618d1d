"""The payment app on real PostgreSQL and Kafka, called in-process, with genuinely signed tokens.

Tests talk to the app the way the saga does: they publish BookingRequested / RefundRequested to the
real topics and read PaymentSucceeded / PaymentFailed / PaymentRefunded back from the real topics.
"Handled" is observed, never slept for: the payment consumer group's committed offset has passed the
message, and the outbox is empty (so every outcome the handler recorded is on Kafka).
"""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from joserfc import jwt
from joserfc.jwk import OKPKey
from litestar import Litestar

from payment.app import create_app
from payment.messaging.handlers import GROUP
from payment.settings import Settings
from tickethub.contracts import BookingRequested, Event, Topic
from tickethub.testing import Infrastructure, client_of, migrated_database, running

ISSUER = "tickethub-users"
AUDIENCE = "tickethub"
JWKS_PATH = "/.well-known/jwks.json"
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


class TokenIssuer:
    """Signs tokens like the users service does (EdDSA over Ed25519, iss/aud/exp/sub)."""

    def __init__(self) -> None:
        self.key = OKPKey.generate_key("Ed25519", parameters={"kid": "test-" + uuid.uuid4().hex[:8]})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def headers(self, subject: str) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "role": "USER",
            "iat": now,
            "exp": now + 300,
        }
        token = jwt.encode({"alg": "Ed25519", "kid": self.key.kid}, claims, self.key, algorithms=["Ed25519"])
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def issuer() -> TokenIssuer:
    return TokenIssuer()


@pytest.fixture(scope="session")
def jwks_url(issuer: TokenIssuer) -> Iterator[str]:
    body = json.dumps(issuer.jwks()).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == JWKS_PATH
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{JWKS_PATH}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def settings(infra: Infrastructure, jwks_url: str) -> Settings:
    return Settings(
        DATABASE_URL=migrated_database(infra, "payment.store.piccolo_conf"),
        KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers,
        JWT_JWKS_URL=jwks_url,
        JWT_ISSUER=ISSUER,
        JWT_AUDIENCE=AUDIENCE,
        OTEL_SERVICE_NAME="payment",
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
    """A separate connection for the tests' own checks of what the app wrote."""
    connection = await asyncpg.connect(settings.database_url)
    try:
        yield connection
    finally:
        await connection.close()


class Kafka:
    """Publishes events as the booking service's relay does, and observes what payment did with them."""

    def __init__(self, bootstrap: str, db: asyncpg.Connection) -> None:
        self.bootstrap = bootstrap
        self.db = db
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
        """Everything published so far is handled by payment and its outcomes are on Kafka."""

        async def handled() -> bool:
            committed = await self.admin.list_consumer_group_offsets(GROUP, partitions=list(self.published))
            return all(
                partition in committed and committed[partition].offset > offset
                for partition, offset in self.published.items()
            )

        async def outbox_empty() -> bool:
            return await self.db.fetchval("SELECT count(*) FROM outbox") == 0

        await eventually(handled, "payment to commit past every published message")
        await eventually(outbox_empty, "the outbox relay to publish every recorded outcome")

    async def read(self, topic: Topic, key: str) -> list[Event]:
        """Every event with `key` on `topic`, from the beginning to the current end."""
        partitions = [TopicPartition(topic.name, p) for p in await self.producer.partitions_for(topic.name)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            found: list[Event] = []
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                batches = await consumer.getmany(*partitions, timeout_ms=500)
                found.extend(
                    topic.event.model_validate_json(record.value)
                    for records in batches.values()
                    for record in records
                    if record.key == key.encode()
                )
            return found
        finally:
            await consumer.stop()


@pytest.fixture(scope="session")
async def kafka(app: Litestar, infra: Infrastructure, db: asyncpg.Connection) -> AsyncIterator[Kafka]:
    bus = Kafka(infra.kafka_bootstrap_servers, db)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


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

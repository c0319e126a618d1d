"""The notification app on real PostgreSQL, Kafka and SMTP (Mailpit), run in-process.

Tests publish booking outcomes to the real topics and look for the e-mails through the SMTP catcher's
HTTP API. "Handled" is observed, never slept for: the notification consumer group's committed offset
has passed every published message.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from litestar import Litestar

from notification.app import create_app
from notification.messaging.handlers import GROUP
from notification.settings import Settings
from tickethub.contracts import BookingOutcome
from tickethub.testing import Infrastructure, KafkaProbe, eventually, running, service_environment


@pytest.fixture(scope="session")
def settings(infra: Infrastructure) -> Settings:
    return Settings(
        **service_environment(infra, "notification"), SMTP_HOST=infra.smtp_host, SMTP_PORT=infra.smtp_port
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture(scope="session")
async def kafka(app: Litestar, infra: Infrastructure) -> AsyncIterator[KafkaProbe]:
    """Publishes as booking's outbox relay does; settled once notification committed past it."""
    async with KafkaProbe(infra.kafka_bootstrap_servers, group=GROUP) as bus:
        yield bus


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

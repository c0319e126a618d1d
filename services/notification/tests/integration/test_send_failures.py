"""A send that fails leaves no trace (the inbox and notification rows roll back), so the redelivery
sends it; a send that succeeded is never repeated."""

from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from litestar import Litestar

from notification.app import create_context
from notification.service.notifying import notify
from notification.settings import Settings
from notification.store.tables import Notification
from tickethub.contracts import BookingConfirmed

pytestmark = pytest.mark.integration


class FlakyMailer:
    """Refuses the first `failures` sends as an unreachable server would, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        self.sent.append(message)


async def traces(db: asyncpg.Connection, event: BookingConfirmed) -> tuple[int, int]:
    notifications = await db.fetchval(
        "SELECT count(*) FROM notifications WHERE event_id = $1", event.event_id
    )
    inbox = await db.fetchval("SELECT count(*) FROM inbox WHERE message_key LIKE $1", f"%:{event.event_id}")
    return notifications, inbox


async def test_a_failed_send_is_rolled_back_and_sent_on_redelivery(
    app: Litestar, settings: Settings, db: asyncpg.Connection, outcome: Any
) -> None:
    engine = Notification._meta.db  # the app's engine, its pool started by the app's lifespan
    confirmed = outcome(BookingConfirmed)
    mailer = FlakyMailer(failures=1)
    context = create_context(settings, engine, mailer)  # sends from the default MAIL_FROM

    with pytest.raises(ConnectionRefusedError):
        await notify(context, confirmed)
    assert await traces(db, confirmed) == (0, 0)

    await notify(context, confirmed)
    await notify(context, confirmed)

    assert await traces(db, confirmed) == (1, 1)
    assert [m["Message-ID"] for m in mailer.sent] == [f"<{confirmed.event_id}@tickethub.local>"]

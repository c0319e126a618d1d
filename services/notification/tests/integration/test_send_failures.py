"""A send that fails leaves no trace (the inbox and notification rows roll back), so the redelivery
sends it; a send that succeeded is never repeated."""

from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from litestar import Litestar

from notification.messaging.handlers import notify
from notification.store.tables import Notification
from tickethub.contracts import BOOKING_CONFIRMED, BookingConfirmed

pytestmark = pytest.mark.integration
SENDER = "TicketHub <no-reply@tickethub.local>"


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
    app: Litestar, db: asyncpg.Connection, outcome: Any
) -> None:
    engine = Notification._meta.db  # the app's engine, its pool started by the app's lifespan
    confirmed = outcome(BookingConfirmed)
    mailer = FlakyMailer(failures=1)

    with pytest.raises(ConnectionRefusedError):
        await notify(confirmed, BOOKING_CONFIRMED, engine=engine, mailer=mailer, sender=SENDER)
    assert await traces(db, confirmed) == (0, 0)

    await notify(confirmed, BOOKING_CONFIRMED, engine=engine, mailer=mailer, sender=SENDER)
    await notify(confirmed, BOOKING_CONFIRMED, engine=engine, mailer=mailer, sender=SENDER)

    assert await traces(db, confirmed) == (1, 1)
    assert [m["Message-ID"] for m in mailer.sent] == [f"<{confirmed.event_id}@tickethub.local>"]

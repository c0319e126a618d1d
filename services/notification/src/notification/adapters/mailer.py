"""Delivers e-mails over SMTP (aiosmtplib), and tells readiness whether the server answers.

One connection per e-mail: outcomes arrive at the pace of bookings, not in bulk, and a fresh
connection never inherits a half-broken session from the previous send.
"""

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
from aiosmtplib import SMTPRecipientsRefused, SMTPResponseException

from notification.settings import Settings


class MailDeferred(Exception):
    """The server answered with a temporary (4xx) refusal: the send is retried until it goes through."""


# What the broker retries rather than dead-letters when a send fails: the server deferring (4xx). SMTP
# connection failures and timeouts are OSErrors, which the broker retries already.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (MailDeferred,)


class Mailer(Protocol):
    """What notifying needs of a mailer: SmtpMailer in the service, a stand-in in a test."""

    async def send(self, message: EmailMessage) -> None: ...


def _temporary(exc: Exception) -> bool:
    if isinstance(exc, SMTPResponseException):
        return 400 <= exc.code < 500
    if isinstance(exc, SMTPRecipientsRefused):
        return all(400 <= refused.code < 500 for refused in exc.recipients)
    return False


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._hostname = settings.smtp_host
        self._port = settings.smtp_port
        self._username = settings.smtp_username or None
        self._password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        self._start_tls = settings.smtp_starttls
        self._timeout = settings.smtp_timeout_seconds

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self._hostname,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._start_tls,
                timeout=self._timeout,
            )
        except (SMTPResponseException, SMTPRecipientsRefused) as exc:
            if _temporary(exc):
                raise MailDeferred(str(exc)) from exc
            raise

    async def ping(self) -> None:
        """Connects (which greets the server with EHLO) and sends NOOP; raises if the server is silent."""
        client = aiosmtplib.SMTP(
            hostname=self._hostname, port=self._port, start_tls=self._start_tls, timeout=self._timeout
        )
        async with client:
            await client.noop()

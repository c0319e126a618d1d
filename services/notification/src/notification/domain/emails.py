"""The e-mail a buyer gets for each booking outcome: subject, plain-text body and headers."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from enum import StrEnum
from uuid import UUID

from tickethub.contracts import BookingCancelled, BookingConfirmed, BookingExpired, BookingOutcome


class NoticeKind(StrEnum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    body: str


def notice_kind(event: BookingOutcome) -> NoticeKind:
    if isinstance(event, BookingConfirmed):
        return NoticeKind.CONFIRMED
    if isinstance(event, BookingCancelled):
        return NoticeKind.CANCELLED
    if isinstance(event, BookingExpired):
        return NoticeKind.EXPIRED
    raise TypeError(f"no e-mail for {type(event).__name__}")


def render_email(event: BookingOutcome) -> Email:
    """Subject and body for one outcome; every e-mail names the booking, movie, time, seats and amount."""
    kind = notice_kind(event)
    if kind is NoticeKind.CONFIRMED:
        subject = f"Booking confirmed: {event.movie_title}"
        opening = "Your booking is confirmed. Enjoy the show!"
    elif isinstance(event, BookingCancelled):
        subject = f"Booking cancelled: {event.movie_title}"
        reason = (event.reason or "not given").rstrip(".")  # a reason written as a sentence ends once
        opening = f"Your booking has been cancelled. Reason: {reason}.\n{refund_note(event)}"
    else:
        subject = f"Booking expired: {event.movie_title}"
        opening = (
            "Your seats were held for you, but the payment did not complete in time, so the hold\n"
            "expired and the seats were released. A payment that arrives late is refunded."
        )
    details = "\n".join(
        f"{label:<9} {value}"
        for label, value in (
            ("Booking:", event.booking_id),
            ("Movie:", event.movie_title),
            ("Starts:", format_start(event.starts_at)),
            ("Seats:", ", ".join(event.seats) or "-"),
            ("Amount:", f"{event.amount:.2f} {event.currency}"),
        )
    )
    greeting = f"Hello {event.user_name}," if event.user_name else "Hello,"
    body = f"{greeting}\n\n{opening}\n\n{details}\n\nTicketHub\n"
    return Email(subject=f"{subject} ({event.booking_id})", body=body)


def refund_note(event: BookingCancelled) -> str:
    """What happens to the money: one e-mail per booking outcome, so the refund is announced here."""
    if event.refund_due:
        return (
            f"You had paid {event.amount:.2f} {event.currency} for it: the full amount is refunded to your\n"
            "original payment method."
        )
    return (
        "You have not been charged for it. Should a payment for it still go through, it is refunded\n"
        "in full to your original payment method."
    )


def format_start(starts_at: datetime) -> str:
    """The show's start in the zone it was given in, with its offset: "Sat 28 Nov 2026, 19:30 UTC+05:30"."""
    minutes = int((starts_at.utcoffset() or timedelta(0)).total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    zone = f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{rest:02d}" if minutes else "UTC"
    return f"{starts_at.strftime('%a %d %b %Y, %H:%M')} {zone}"


def message_id(event_id: UUID, sender: str) -> str:
    """The Message-ID of the e-mail for one event: a re-send after a crash carries the same id, so a
    mail client (or a test) recognises the duplicate."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tickethub.local"
    return f"<{event_id}@{domain}>"


def compose(email: Email, *, sender: str, recipient: str, event_id: UUID, date: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(event_id, sender)
    message.set_content(email.body)
    return message

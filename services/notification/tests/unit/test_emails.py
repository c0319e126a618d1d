"""Rendering of the buyer's e-mails: every outcome names the booking, movie, start, seats and amount."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from email import message_from_bytes
from email.policy import SMTP
from email.policy import default as default_policy
from typing import Any
from uuid import UUID

import pytest

from notification.domain.emails import (
    NoticeKind,
    compose,
    format_start,
    message_id,
    notice_kind,
    render_email,
)
from tickethub.contracts import BookingCancelled, BookingConfirmed, BookingExpired, BookingOutcome

IST = timezone(timedelta(hours=5, minutes=30))
EVENT_ID = UUID("0b6f5c3e-8f49-4c1c-9d3a-2a1e5a7f0c11")


def outcome(kind: type[BookingOutcome], **extra: Any) -> BookingOutcome:
    return kind(
        event_id=EVENT_ID,
        booking_id="7d8e2c1a-4b5f-4e6a-8c9d-0e1f2a3b4c5d",
        user_id="u-1",
        user_email="ana@example.com",
        show_id="s-1",
        movie_title="The Long Night",
        starts_at=datetime(2026, 11, 28, 19, 30, tzinfo=IST),
        seats=["A1", "A2"],
        amount=Decimal("500.00"),
        currency="INR",
        **extra,
    )


@pytest.mark.parametrize(
    ("event", "kind", "word"),
    [
        (outcome(BookingConfirmed), NoticeKind.CONFIRMED, "confirmed"),
        (
            outcome(BookingCancelled, reason="payment declined: card_declined"),
            NoticeKind.CANCELLED,
            "cancelled",
        ),
        (outcome(BookingExpired), NoticeKind.EXPIRED, "expired"),
    ],
)
def test_every_outcome_names_the_booking(event: BookingOutcome, kind: NoticeKind, word: str) -> None:
    email = render_email(event)
    assert notice_kind(event) is kind
    assert word in email.subject.lower()
    assert event.booking_id in email.subject
    assert "The Long Night" in email.subject
    for fact in (
        event.booking_id,
        "The Long Night",
        "Sat 28 Nov 2026, 19:30 UTC+05:30",
        "A1, A2",
        "500.00 INR",
    ):
        assert fact in email.body


def test_cancellation_gives_the_reason() -> None:
    email = render_email(outcome(BookingCancelled, reason="payment declined: card_declined"))
    assert "Reason: payment declined: card_declined." in email.body


def test_confirmation_reads_as_expected() -> None:
    assert render_email(outcome(BookingConfirmed)).body == (
        "Hello,\n"
        "\n"
        "Your booking is confirmed. Enjoy the show!\n"
        "\n"
        "Booking:  7d8e2c1a-4b5f-4e6a-8c9d-0e1f2a3b4c5d\n"
        "Movie:    The Long Night\n"
        "Starts:   Sat 28 Nov 2026, 19:30 UTC+05:30\n"
        "Seats:    A1, A2\n"
        "Amount:   500.00 INR\n"
        "\n"
        "TicketHub\n"
    )


@pytest.mark.parametrize(
    ("starts_at", "text"),
    [
        (datetime(2026, 11, 28, 19, 30, tzinfo=UTC), "Sat 28 Nov 2026, 19:30 UTC"),
        (
            datetime(2026, 1, 2, 9, 5, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
            "Fri 02 Jan 2026, 09:05 UTC-03:30",
        ),
    ],
)
def test_start_time_keeps_its_zone(starts_at: datetime, text: str) -> None:
    assert format_start(starts_at) == text


def test_amount_always_has_two_decimals() -> None:
    event = outcome(BookingConfirmed).model_copy(update={"amount": Decimal("250")})
    assert "250.00 INR" in render_email(event).body


def test_message_id_is_derived_from_the_event_id() -> None:
    sender = "TicketHub <no-reply@tickethub.local>"
    assert message_id(EVENT_ID, sender) == f"<{EVENT_ID}@tickethub.local>"
    assert message_id(EVENT_ID, sender) == message_id(EVENT_ID, sender)


def test_composed_message_has_headers_and_plain_text_body() -> None:
    event = outcome(BookingConfirmed)
    sent = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    message = compose(
        render_email(event),
        sender="TicketHub <no-reply@tickethub.local>",
        recipient=event.user_email,
        event_id=event.event_id,
        date=sent,
    )
    parsed = message_from_bytes(message.as_bytes(policy=SMTP), policy=default_policy)
    assert parsed["From"] == "TicketHub <no-reply@tickethub.local>"
    assert parsed["To"] == "ana@example.com"
    assert parsed["Message-ID"] == f"<{EVENT_ID}@tickethub.local>"
    # A long Subject is folded onto its own line; Python's parser keeps the fold's space, mail clients don't.
    assert parsed["Subject"].strip() == render_email(event).subject
    assert parsed.get_content_type() == "text/plain"
    assert "Seats:    A1, A2" in parsed.get_content()


@pytest.mark.parametrize(
    "reason",
    ["the show was cancelled: Power cut", "cancelled at your request", "payment declined: card_declined"],
)
def test_a_cancellation_without_a_payment_says_nothing_was_charged(reason: str) -> None:
    body = render_email(outcome(BookingCancelled, reason=reason, refund_due=False)).body
    assert f"Reason: {reason}." in body
    assert "You have not been charged for it." in body
    assert "You had paid" not in body


def test_a_cancelled_paid_booking_says_the_refund_follows() -> None:
    event = outcome(BookingCancelled, reason="the show was cancelled: Power cut", refund_due=True)
    assert render_email(event).body == (
        "Hello,\n"
        "\n"
        "Your booking has been cancelled. Reason: the show was cancelled: Power cut.\n"
        "You had paid 500.00 INR for it: the full amount is refunded to your\n"
        "original payment method.\n"
        "\n"
        "Booking:  7d8e2c1a-4b5f-4e6a-8c9d-0e1f2a3b4c5d\n"
        "Movie:    The Long Night\n"
        "Starts:   Sat 28 Nov 2026, 19:30 UTC+05:30\n"
        "Seats:    A1, A2\n"
        "Amount:   500.00 INR\n"
        "\n"
        "TicketHub\n"
    )


def test_a_reason_written_as_a_sentence_ends_with_one_period() -> None:
    event = outcome(BookingCancelled, reason="The show was withdrawn.", refund_due=False)
    body = render_email(event).body
    assert "Reason: The show was withdrawn.\n" in body
    assert ".." not in body


def test_the_buyer_is_greeted_by_the_name_they_registered_with() -> None:
    assert render_email(outcome(BookingConfirmed, user_name="Ana Lima")).body.startswith(
        "Hello Ana Lima,\n\n"
    )
    assert render_email(outcome(BookingConfirmed)).body.startswith("Hello,\n\n")  # bookings made before

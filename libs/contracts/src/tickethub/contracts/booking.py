"""Booking events: the saga's requests and its outcomes."""

from decimal import Decimal

from pydantic import AwareDatetime

from tickethub.contracts.envelope import Event


class BookingRequested(Event):
    """Seats are held; payment should charge the amount once for this booking."""

    booking_id: str
    user_id: str
    show_id: str
    seats: list[str]
    amount: Decimal
    currency: str
    payment_token: str | None
    hold_expires_at: AwareDatetime


class BookingOutcome(Event):
    """Fields every terminal booking event shares (what the buyer is told)."""

    booking_id: str
    user_id: str
    user_email: str
    show_id: str
    movie_title: str
    starts_at: AwareDatetime
    seats: list[str]
    amount: Decimal
    currency: str


class BookingConfirmed(BookingOutcome):
    pass


class BookingCancelled(BookingOutcome):
    reason: str


class BookingExpired(BookingOutcome):
    pass


class RefundRequested(Event):
    """Money was taken for a booking that cannot be honoured (e.g. paid after its hold expired)."""

    booking_id: str
    reason: str

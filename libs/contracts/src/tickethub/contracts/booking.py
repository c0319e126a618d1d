"""Booking events: the saga's requests and its outcomes."""

from decimal import Decimal

from pydantic import AwareDatetime, Field

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
    user_name: str = Field(default="", description="the buyer's name as registered; empty when unknown")
    show_id: str
    movie_title: str
    starts_at: AwareDatetime
    seats: list[str]
    amount: Decimal
    currency: str


class BookingConfirmed(BookingOutcome):
    """Paid in time: the seats are sold to the buyer."""


class BookingCancelled(BookingOutcome):
    """The booking will not happen (payment declined, cancelled by the buyer or with its show); its seats
    are free again. When money was taken, a RefundRequested follows."""

    reason: str
    refund_due: bool = Field(
        default=False,
        description="the booking had been paid and its refund is requested; false when nothing was "
        "taken yet (a payment still under way is then refunded when it arrives)",
    )


class BookingExpired(BookingOutcome):
    """No payment came before the hold ran out: the seats are free again."""


class RefundRequested(Event):
    """Money was taken for a booking that cannot be honoured (e.g. paid after its hold expired)."""

    booking_id: str
    reason: str

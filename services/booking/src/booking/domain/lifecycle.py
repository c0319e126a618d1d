"""The booking state machine, as one table: every move a booking can make and what it does to seats.

Each `Transition` names the statuses it leaves from, the one it reaches, the guards that must hold
and how it moves the booking's seat rows. The store builds its guarded SQL from these rows, so
PostgreSQL applies exactly this table under concurrency; `Transition.allows` is the same rule in plain
Python, for decisions taken before a transaction and for the tests that hold the two together.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"


class SeatStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    HELD = "HELD"
    SOLD = "SOLD"
    RELEASED = "RELEASED"  # stored on booking_seats rows that no longer hold their seat


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[BookingStatus]
    target: BookingStatus
    # How the booking's seat rows change: status before -> status after. Rows in other statuses stay.
    seats: Mapping[SeatStatus, SeatStatus] = field(default_factory=dict)
    needs_live_hold: bool = False  # the hold has not run out
    needs_expired_hold: bool = False  # the hold has run out
    needs_show_not_cancelled: bool = False

    def allows(self, status: BookingStatus, *, hold_live: bool, show_cancelled: bool) -> bool:
        """Whether a booking in `status` makes this move (the rule the store's SQL applies)."""
        return (
            status in self.sources
            and (hold_live or not self.needs_live_hold)
            and (not hold_live or not self.needs_expired_hold)
            and (not show_cancelled or not self.needs_show_not_cancelled)
        )


PENDING, CONFIRMED, CANCELLED = BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CANCELLED
EXPIRED, REFUNDED = BookingStatus.EXPIRED, BookingStatus.REFUNDED
HELD, SOLD, RELEASED = SeatStatus.HELD, SeatStatus.SOLD, SeatStatus.RELEASED

# Paid in time: the seats are sold. A payment the guards refuse is refunded instead (compensation).
CONFIRM = Transition(
    "confirm",
    frozenset({PENDING}),
    CONFIRMED,
    {HELD: SOLD},
    needs_live_hold=True,
    needs_show_not_cancelled=True,
)
# Unpaid when the hold ran out (the sweep, or a payment that came too late).
EXPIRE = Transition("expire", frozenset({PENDING}), EXPIRED, {HELD: RELEASED}, needs_expired_hold=True)
# Never paid: the card was declined, or the show was cancelled before the payment could confirm.
CANCEL_PENDING = Transition("cancel_pending", frozenset({PENDING}), CANCELLED, {HELD: RELEASED})
# The buyer or the show's cancellation: a pending or a paid booking; a paid one is then refunded.
CANCEL = Transition("cancel", frozenset({PENDING, CONFIRMED}), CANCELLED, {HELD: RELEASED, SOLD: RELEASED})
# Payment gave the money of an ended booking back.
REFUND = Transition("refund", frozenset({EXPIRED, CANCELLED}), REFUNDED)

TRANSITIONS = (CONFIRM, EXPIRE, CANCEL_PENDING, CANCEL, REFUND)

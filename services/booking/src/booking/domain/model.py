"""A booking as the service sees it, the bookable view of a show, and the seat-selection rules."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from booking.domain.errors import BookingNotCancellable, InvalidSeatSelection, ShowNotBookable
from booking.domain.lifecycle import CANCEL, BookingStatus


@dataclass(frozen=True, slots=True)
class ShowView:
    """What booking knows of a show, from catalog's events (its read model)."""

    show_id: str
    revision: int
    status: str
    movie_title: str
    starts_at: datetime
    hold_seconds: int
    prices: Mapping[str, Decimal]
    seat_categories: Mapping[str, str]  # seat id -> category

    def price_of(self, seat_id: str) -> Decimal:
        return self.prices[self.seat_categories[seat_id]]


@dataclass(frozen=True, slots=True)
class SeatCounts:
    """A show's seats by what booking has made of them; `available` is what is left (invariant I5)."""

    total: int
    held: int  # by PENDING bookings whose hold has not run out
    sold: int  # to CONFIRMED bookings

    @property
    def available(self) -> int:
        return self.total - self.held - self.sold


@dataclass(frozen=True, slots=True)
class SeatSelection:
    seats: tuple[str, ...]
    amount: Decimal
    hold_expires_at: datetime


def select_seats(show: ShowView, seats: Sequence[str], *, now: datetime, max_seats: int) -> SeatSelection:
    """Checks a request against the show and prices it server-side (clients never send prices)."""
    if show.status != "SCHEDULED":
        raise ShowNotBookable(f"Show {show.show_id} is {show.status.lower()}.")
    if show.starts_at <= now:
        raise ShowNotBookable(f"Show {show.show_id} has already started.")
    if not seats:
        raise InvalidSeatSelection("Choose at least one seat.", field="seats")
    if len(seats) > max_seats:
        raise InvalidSeatSelection(f"At most {max_seats} seats per booking.", field="seats")
    duplicates = sorted({seat for seat in seats if seats.count(seat) > 1})
    if duplicates:
        raise InvalidSeatSelection(
            f"Seats listed twice: {', '.join(duplicates)}.", field="seats", duplicateSeats=duplicates
        )
    unknown = sorted(seat for seat in seats if seat not in show.seat_categories)
    if unknown:
        raise InvalidSeatSelection(
            f"No such seats in this show: {', '.join(unknown)}.", field="seats", unknownSeats=unknown
        )
    amount = sum((show.price_of(seat) for seat in seats), Decimal("0.00"))
    return SeatSelection(
        seats=tuple(seats),
        amount=amount.quantize(Decimal("0.01")),
        hold_expires_at=now + timedelta(seconds=show.hold_seconds),
    )


@dataclass(frozen=True, slots=True)
class BookingRecord:
    id: str
    user_id: str
    user_email: str
    show_id: str
    status: BookingStatus
    amount: Decimal
    currency: str
    seats: tuple[str, ...]
    hold_expires_at: datetime
    created_at: datetime
    user_name: str = ""  # as the buyer registered it; empty for bookings made before it was kept


@dataclass(frozen=True, slots=True)
class Moved:
    """A booking just moved by a transition, and the status it left: a CONFIRMED one had been paid for."""

    record: BookingRecord
    previous: BookingStatus

    @property
    def was_paid(self) -> bool:
        return self.previous is BookingStatus.CONFIRMED


def needs_cancelling(record: BookingRecord, show: ShowView | None, *, now: datetime) -> bool:
    """Whether a buyer's cancel changes the booking; False when it has ended so already (CANCELLED or
    REFUNDED), so a repeated cancel answers the booking as it is.

    An expired booking has nothing left to cancel, and once the show has started its seats are used.
    """
    if record.status in (BookingStatus.CANCELLED, BookingStatus.REFUNDED):
        return False
    if record.status not in CANCEL.sources:  # expired: its seats went back when its hold ran out
        raise BookingNotCancellable(f"Booking {record.id} has expired; there is nothing to cancel.")
    if show is not None and show.starts_at <= now:
        raise BookingNotCancellable(f"The show of booking {record.id} has already started.")
    return True

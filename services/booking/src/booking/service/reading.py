"""What buyers read: their own bookings, and any show's seat map."""

from dataclasses import dataclass
from decimal import Decimal

from booking.domain.errors import UnknownBooking, UnknownShow
from booking.domain.lifecycle import SeatStatus
from booking.domain.model import BookingRecord
from booking.service.context import BookingContext
from tickethub.kernel import parse_id


async def own_booking(context: BookingContext, booking_id: str, user_id: str) -> BookingRecord:
    """The caller's booking; someone else's is indistinguishable from none (404), as is a malformed id."""
    record = await context.bookings.get(booking_id) if parse_id(booking_id) else None
    if record is None or record.user_id != user_id:
        raise UnknownBooking(booking_id)
    return record


async def bookings_of(
    context: BookingContext, user_id: str, *, limit: int, offset: int
) -> tuple[list[BookingRecord], int]:
    """The caller's bookings, newest first, and how many there are in all."""
    return await context.bookings.list_for_user(user_id, limit=limit, offset=offset)


@dataclass(frozen=True, slots=True)
class SeatOnMap:
    seat_id: str
    category: str
    price: Decimal
    status: str


async def seat_map(context: BookingContext, show_id: str) -> list[SeatOnMap]:
    """Every seat of the show, in the layout's order, with its price and whether it is free."""
    show = await context.shows.load(show_id)
    if show is None:
        raise UnknownShow(show_id)
    taken = await context.bookings.seat_statuses(show_id)
    return [
        SeatOnMap(seat, category, show.prices[category], taken.get(seat, SeatStatus.AVAILABLE))
        for seat, category in show.seat_categories.items()
    ]

"""Booking failures in the domain's words; each becomes a precise problem+json response."""

from collections.abc import Sequence

from tickethub.web.problems import Conflict, InvalidRequest, NotFound


class UnknownShow(NotFound):
    slug = "unknown-show"
    title = "Unknown show"

    def __init__(self, show_id: str) -> None:
        super().__init__(f"There is no show {show_id}.", showId=show_id)


class UnknownBooking(NotFound):
    slug = "unknown-booking"
    title = "Unknown booking"

    def __init__(self, booking_id: str) -> None:
        super().__init__(f"There is no booking {booking_id} of yours.")


class ShowNotBookable(Conflict):
    slug = "show-not-bookable"
    title = "Show not bookable"


class InvalidSeatSelection(InvalidRequest):
    slug = "invalid-seat-selection"
    title = "Invalid seat selection"


class SeatsTaken(Conflict):
    slug = "seats-taken"
    title = "Seats taken"

    def __init__(self, taken: Sequence[str]) -> None:
        self.taken = sorted(taken)
        super().__init__(f"These seats are not available: {', '.join(self.taken)}.", takenSeats=self.taken)

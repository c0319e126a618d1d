"""Booking failures in the domain's words; each becomes a precise problem+json response."""

from collections.abc import Sequence
from typing import Any

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


class BookingNotCancellable(Conflict):
    slug = "booking-not-cancellable"
    title = "Booking cannot be cancelled"


class ShowNotBookable(Conflict):
    slug = "show-not-bookable"
    title = "Show not bookable"


class InvalidSeatSelection(InvalidRequest):
    slug = "invalid-seat-selection"
    title = "Invalid seat selection"

    def __init__(self, detail: str, *, field: str, **extra: Any) -> None:
        # `errors` names the field the way every other 422 of the API does.
        super().__init__(detail, errors=[{"field": field, "in": "body", "message": detail}], **extra)


class SeatsTaken(Conflict):
    slug = "seats-taken"
    title = "Seats taken"

    def __init__(self, taken: Sequence[str]) -> None:
        self.taken = sorted(taken)
        super().__init__(f"These seats are not available: {', '.join(self.taken)}.", takenSeats=self.taken)


class HoldLimitReached(Conflict):
    slug = "hold-limit-reached"
    title = "Too many seats held"

    def __init__(self, *, held: int, limit: int) -> None:
        super().__init__(
            f"You already hold {held} seats of this show; at most {limit} may be held at once. "
            "Complete or cancel a pending booking first.",
            heldSeats=held,
            limit=limit,
        )


class IdempotencyKeyReused(InvalidRequest):
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with another request"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used with a different request body; use a new key for a new request.",
            errors=[
                {
                    "field": "Idempotency-Key",
                    "in": "header",
                    "message": "already used with a different body",
                }
            ],
        )


class IdempotentRequestInProgress(Conflict):
    slug = "idempotent-request-in-progress"
    title = "A request with this Idempotency-Key is in progress"

    def __init__(self) -> None:
        super().__init__(
            "The first request with this Idempotency-Key has not finished; retry shortly.", retry_after=1
        )

"""From a Show's spec to catalog's request, and from what the services report to the Show's status."""

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from show_operator.conditions import READY, Condition
from show_operator.model import SeatCounts

DEFAULT_HOLD_SECONDS = 600  # the CRD's default, for a Show stored before the default existed
_SEAT_COUNTS = ("total", "available", "held", "sold")


class Phase(StrEnum):
    PENDING = "Pending"
    ON_SALE = "OnSale"
    SOLD_OUT = "SoldOut"
    STARTED = "Started"
    REJECTED = "Rejected"
    CANCELLING = "Cancelling"


def catalog_request(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The body of catalog's `PUT /shows/{id}` for a Show's spec (prices become a category map)."""
    return {
        "movieId": spec["movieId"],
        "hallId": spec["hallId"],
        "startsAt": spec["startsAt"],
        "prices": {price["category"]: price["price"] for price in spec["prices"]},
        "holdSeconds": spec.get("holdSeconds", DEFAULT_HOLD_SECONDS),
    }


def starts_at(spec: Mapping[str, Any]) -> datetime:
    moment = datetime.fromisoformat(spec["startsAt"])
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def show_phase(
    *,
    starts: datetime,
    now: datetime,
    seats: SeatCounts | None,
    rejected: bool = False,
    deleting: bool = False,
) -> Phase:
    """Where the show stands: `seats` is None while booking has not reported it."""
    if deleting:
        return Phase.CANCELLING
    if rejected:
        return Phase.REJECTED
    if now >= starts:
        return Phase.STARTED
    if seats is None:
        return Phase.PENDING
    if seats.available == 0:
        return Phase.SOLD_OUT
    return Phase.ON_SALE


def readiness(phase: Phase, seats: SeatCounts | None) -> Condition:
    """The Ready condition once catalog has the show: ready as soon as booking reports its seats."""
    if seats is None:
        return Condition(
            READY, False, "WaitingForBooking", "catalog has the show; booking has not reported it"
        )
    if phase is Phase.STARTED:
        return Condition(
            READY, True, "Started", f"the show has started: {seats.sold} of {seats.total} seats sold"
        )
    if phase is Phase.SOLD_OUT:
        message = f"no seat left: {seats.sold} sold, {seats.held} held awaiting payment"
        return Condition(READY, True, "SoldOut", message)
    return Condition(READY, True, "OnSale", f"{seats.available} of {seats.total} seats available")


def seats_in(status: Mapping[str, Any]) -> SeatCounts | None:
    """The seat counts last written to a Show's status, if any."""
    seats = status.get("seats")
    if not isinstance(seats, Mapping) or any(key not in seats for key in _SEAT_COUNTS):
        return None
    return SeatCounts(**{key: int(seats[key]) for key in _SEAT_COUNTS})


def changed_fields(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `desired` that differ from `current`: an empty result needs no patch."""
    return {key: value for key, value in desired.items() if current.get(key) != value}

"""Show scheduling: when a show occupies its hall, and what a valid show request is.

A show occupies its hall from its start until its end plus a cleaning gap; two SCHEDULED shows of one
hall may not occupy it at the same time. The database enforces the same rule with an exclusion
constraint on the half-open range [starts_at, hall_released_at). A CANCELLED show gives its slot back.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from catalog.domain.errors import (
    HallHasNoLayout,
    InvalidSchedule,
    ShowAlreadyCancelled,
    ShowAlreadyStarted,
    ShowMovieOrHallChanged,
)
from catalog.domain.model import Movie, SeatLayout, Show, ShowRequest, ShowStatus
from catalog.domain.pricing import parse_prices

CLEANING_GAP = timedelta(minutes=15)
DEFAULT_HOLD_SECONDS = 600
MIN_HOLD_SECONDS = 60
MAX_HOLD_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Slot:
    """The time a show runs (`starts_at`..`ends_at`) and keeps its hall (until `hall_released_at`)."""

    starts_at: datetime
    ends_at: datetime
    hall_released_at: datetime

    @classmethod
    def of(cls, starts_at: datetime, duration_minutes: int) -> "Slot":
        ends_at = starts_at + timedelta(minutes=duration_minutes)
        return cls(starts_at=starts_at, ends_at=ends_at, hall_released_at=ends_at + CLEANING_GAP)

    def overlaps(self, other: "Slot") -> bool:
        """Half-open ranges: a show may start exactly when the previous one's cleaning ends."""
        return self.starts_at < other.hall_released_at and other.starts_at < self.hall_released_at


@dataclass(frozen=True, slots=True)
class ShowPlan:
    """A show request checked against its movie and hall: ready to be stored."""

    slot: Slot
    prices: dict[str, Decimal]
    hold_seconds: int
    seat_count: int


def plan_show(request: ShowRequest, movie: Movie, layout: SeatLayout, now: datetime) -> ShowPlan:
    """Validates a show request (time, hold, prices) against the movie and the hall's layout."""
    if not layout.seats:
        raise HallHasNoLayout(layout.hall_id)
    if request.starts_at.tzinfo is None:
        raise InvalidSchedule("startsAt", "The time needs an offset (RFC 3339).")
    starts_at = request.starts_at.astimezone(UTC)
    if starts_at <= now:
        raise InvalidSchedule("startsAt", "A show must start in the future.")
    hold_seconds = DEFAULT_HOLD_SECONDS if request.hold_seconds is None else request.hold_seconds
    if not MIN_HOLD_SECONDS <= hold_seconds <= MAX_HOLD_SECONDS:
        raise InvalidSchedule(
            "holdSeconds", f"Seats are held between {MIN_HOLD_SECONDS} and {MAX_HOLD_SECONDS} seconds."
        )
    prices = parse_prices(request.prices, layout.categories)
    return ShowPlan(
        slot=Slot.of(starts_at, movie.duration_minutes),
        prices=prices,
        hold_seconds=hold_seconds,
        seat_count=len(layout.seats),
    )


def needs_cancelling(show: Show, now: datetime) -> bool:
    """True when cancelling changes the show; False when it is cancelled already (a repeat is harmless).

    A show that has started can no longer be cancelled: its audience may be in the hall.
    """
    if show.status is ShowStatus.CANCELLED:
        return False
    if show.starts_at <= now:
        raise ShowAlreadyStarted(show.id)
    return True


def refuse_unchangeable(show: Show, *, movie_id: str, hall_id: str, now: datetime) -> None:
    """A show may be moved in time or repriced until it starts, unless it was cancelled; its movie and
    hall stay what they were (bookings and their e-mails name them)."""
    if show.status is ShowStatus.CANCELLED:
        raise ShowAlreadyCancelled(show.id)
    if show.starts_at <= now:
        raise ShowAlreadyStarted(show.id, refused="changed")
    changed = [
        field
        for field, stored, requested in (
            ("movieId", show.movie_id, movie_id),
            ("hallId", show.hall_id, hall_id),
        )
        if stored != requested
    ]
    if changed:
        raise ShowMovieOrHallChanged(show.id, changed)


def changes_show(plan: ShowPlan, show: Show) -> bool:
    """True when storing the plan would change the show (a repeated request changes nothing)."""
    planned = (plan.slot.starts_at, plan.slot.ends_at, plan.prices, plan.hold_seconds, plan.seat_count)
    return planned != (show.starts_at, show.ends_at, show.prices, show.hold_seconds, show.seat_count)


def utc_day(day: date) -> tuple[datetime, datetime]:
    """The half-open UTC interval of a calendar day: the `date` filter of the show listing."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)

"""The catalog's records as the rest of the service sees them (plain immutable values)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Movie:
    id: str
    title: str
    duration_minutes: int
    language: str | None
    genre: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class Theatre:
    id: str
    name: str
    city: str
    address: str | None


@dataclass(frozen=True, slots=True)
class Hall:
    id: str
    theatre_id: str
    name: str


@dataclass(frozen=True, slots=True)
class HallLocation:
    """A hall with the theatre it belongs to: what a show needs to know about where it plays."""

    hall: Hall
    theatre: Theatre


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One row as an admin describes it: `count` seats named `<name>1..<name><count>`."""

    name: str
    count: int
    category: str


@dataclass(frozen=True, slots=True)
class Seat:
    seat_id: str
    row: str
    number: int
    category: str


@dataclass(frozen=True, slots=True)
class SeatLayout:
    hall_id: str
    seats: tuple[Seat, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        """Seat categories in the order they first appear in the layout."""
        return tuple(dict.fromkeys(seat.category for seat in self.seats))


class ShowStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class ShowRequest:
    """What an admin asks for; validated by `schedule.plan_show` against the hall and movie."""

    movie_id: str
    hall_id: str
    starts_at: datetime
    prices: dict[str, str]
    hold_seconds: int | None


@dataclass(frozen=True, slots=True)
class Show:
    id: str
    movie_id: str
    movie_title: str
    hall_id: str
    hall_name: str
    theatre_id: str
    theatre_name: str
    city: str
    starts_at: datetime
    ends_at: datetime
    prices: dict[str, Decimal]
    hold_seconds: int
    status: ShowStatus
    seat_count: int
    revision: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

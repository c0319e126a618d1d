"""What the operator learns from the services about a Show: catalog's record and booking's seats."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CatalogShow:
    """Catalog's answer to an upsert."""

    id: str
    revision: int
    created: bool
    status: str
    movie_title: str
    theatre_id: str
    theatre_name: str
    hall_name: str
    starts_at: datetime


@dataclass(frozen=True)
class SeatCounts:
    total: int
    available: int
    held: int
    sold: int

    def as_status(self) -> dict[str, int]:
        return {"total": self.total, "available": self.available, "held": self.held, "sold": self.sold}

    @property
    def settled(self) -> bool:
        """No seat is held or sold any more: every booking has been cancelled or refunded."""
        return self.held == 0 and self.sold == 0


@dataclass(frozen=True)
class Sweep:
    """Booking's answer to a sweep: how many bookings it expired just now, and the seats after it."""

    expired: int
    seats: SeatCounts

"""Catalog events: the show's full bookable state, carried to booking's read model."""

from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from tickethub.contracts.envelope import Event


class SeatSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    seat_id: str
    category: str


class ShowPublished(Event):
    """Sent on every change of a show (event-carried state transfer): the latest one wins."""

    show_id: str
    revision: int
    status: Literal["SCHEDULED", "CANCELLED"]
    movie_id: str
    movie_title: str
    theatre_id: str
    theatre_name: str
    city: str
    hall_id: str
    hall_name: str
    starts_at: AwareDatetime
    hold_seconds: int
    prices: dict[str, Decimal]
    seats: list[SeatSnapshot]

"""Catalog events: the show's full bookable state, carried to booking's read model, and its cancellation."""

from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tickethub.contracts.envelope import Event


class SeatSnapshot(BaseModel):
    """One seat of the show's hall and its price category."""

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


class ShowCancelled(Event):
    """The show will not take place: every booking of it is to be cancelled, and paid ones refunded.

    Sent once, in the transaction that marks the show CANCELLED (which also sends a ShowPublished with
    status CANCELLED and the same revision).
    """

    show_id: str
    revision: int
    reason: str | None = Field(default=None, description="why the show was cancelled, as the admin gave it")

"""Request and response bodies of the booking API (camelCase on the wire)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from booking.domain.model import BookingRecord

SeatId = Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["A1"])]


class BookingRequest(msgspec.Struct, rename="camel"):
    show_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    seats: Annotated[list[SeatId], msgspec.Meta(max_length=100, examples=[["A1", "A2"]])]
    payment_token: Annotated[str, msgspec.Meta(max_length=128)] | None = None


class BookingResponse(msgspec.Struct, rename="camel"):
    id: str
    status: str
    show_id: str
    seats: list[str]
    amount: Decimal
    currency: str
    hold_expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, record: BookingRecord) -> "BookingResponse":
        return cls(
            id=record.id,
            status=str(record.status),
            show_id=record.show_id,
            seats=list(record.seats),
            amount=record.amount,
            currency=record.currency,
            hold_expires_at=record.hold_expires_at,
            created_at=record.created_at,
        )


class BookingPage(msgspec.Struct, rename="camel"):
    items: list[BookingResponse]
    total: int
    limit: int
    offset: int


class SeatState(msgspec.Struct, rename="camel"):
    id: str
    category: str
    price: Decimal
    status: str


class SeatMap(msgspec.Struct, rename="camel"):
    show_id: str
    seats: list[SeatState]

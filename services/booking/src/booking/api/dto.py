"""Request and response bodies of the booking API (camelCase on the wire)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from booking.domain.model import BookingRecord, SeatCounts
from tickethub.web.pagination import PageLimit, PageOffset, PageTotal

SeatId = Annotated[str, msgspec.Meta(min_length=1, max_length=16, examples=["A1"])]
BookingId = Annotated[str, msgspec.Meta(examples=["0e6f2f5c-8a4b-4c1e-bb0e-6f1d2a9c7e10"])]
ShowId = Annotated[str, msgspec.Meta(examples=["7d2c9a1e-3b4f-4e5a-9c8d-1f2e3a4b5c6d"])]
Amount = Annotated[Decimal, msgspec.Meta(description="decimal string", examples=["650.00"])]


class BookingRequest(msgspec.Struct, rename="camel"):
    show_id: Annotated[ShowId, msgspec.Meta(min_length=1, max_length=64)]
    seats: Annotated[list[SeatId], msgspec.Meta(max_length=100, examples=[["A1", "A2"]])]
    payment_token: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=128,
                description="for the mock provider; tok_decline declines",
                examples=["tok_visa"],
            ),
        ]
        | None
    ) = None


class BookingResponse(msgspec.Struct, rename="camel"):
    id: BookingId
    status: Annotated[
        str,
        msgspec.Meta(description="PENDING, CONFIRMED, CANCELLED, EXPIRED or REFUNDED", examples=["PENDING"]),
    ]
    show_id: ShowId
    seats: Annotated[list[str], msgspec.Meta(examples=[["A1", "B1"]])]
    amount: Amount
    currency: Annotated[str, msgspec.Meta(examples=["INR"])]
    hold_expires_at: Annotated[
        datetime,
        msgspec.Meta(
            description="a PENDING booking not paid by then expires", examples=["2026-12-01T18:35:00Z"]
        ),
    ]
    created_at: Annotated[datetime, msgspec.Meta(examples=["2026-12-01T18:25:00Z"])]

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
    total: PageTotal
    limit: PageLimit
    offset: PageOffset


class SeatState(msgspec.Struct, rename="camel"):
    id: SeatId
    category: Annotated[str, msgspec.Meta(examples=["PREMIUM"])]
    price: Amount
    status: Annotated[str, msgspec.Meta(description="AVAILABLE, HELD or SOLD", examples=["AVAILABLE"])]


class SeatMap(msgspec.Struct, rename="camel"):
    show_id: ShowId
    seats: list[SeatState]


SeatCount = Annotated[int, msgspec.Meta(ge=0)]


class SeatCountsOut(msgspec.Struct, rename="camel"):
    """total = available + held + sold."""

    total: Annotated[SeatCount, msgspec.Meta(examples=[28])]
    available: Annotated[SeatCount, msgspec.Meta(examples=[21])]
    held: Annotated[SeatCount, msgspec.Meta(description="by bookings awaiting payment", examples=[2])]
    sold: Annotated[SeatCount, msgspec.Meta(examples=[5])]

    @classmethod
    def of(cls, counts: SeatCounts) -> "SeatCountsOut":
        return cls(total=counts.total, available=counts.available, held=counts.held, sold=counts.sold)


class ShowSweep(msgspec.Struct, rename="camel"):
    show_id: ShowId
    expired: Annotated[
        int, msgspec.Meta(ge=0, description="bookings this sweep found overdue and expired", examples=[1])
    ]
    seats: SeatCountsOut

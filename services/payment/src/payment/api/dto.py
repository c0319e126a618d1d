"""Response bodies of the payment API (camelCase on the wire)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from payment.domain.payments import PaymentRecord
from tickethub.web.pagination import PageLimit, PageOffset, PageTotal


class PaymentView(msgspec.Struct, rename="camel"):
    id: Annotated[str, Meta(examples=["5b0f8d43-2d6e-4d4b-9a57-0c1f3b8e9d21"])]
    booking_id: Annotated[str, Meta(examples=["0e6f2f5c-8a4b-4c1e-bb0e-6f1d2a9c7e10"])]
    amount: Annotated[Decimal, Meta(description="decimal string", examples=["650.00"])]
    currency: Annotated[str, Meta(examples=["INR"])]
    status: Annotated[str, Meta(description="CHARGED, DECLINED or REFUNDED", examples=["CHARGED"])]
    reason: (
        Annotated[str, Meta(description="why a charge failed or was refunded", examples=["declined"])] | None
    )
    created_at: Annotated[datetime, Meta(examples=["2026-12-01T18:25:04Z"])]
    refunded_at: Annotated[datetime, Meta(examples=["2026-12-01T19:02:11Z"])] | None

    @classmethod
    def of(cls, record: PaymentRecord) -> "PaymentView":
        return cls(
            id=str(record.id),
            booking_id=record.booking_id,
            amount=record.amount,
            currency=record.currency,
            status=record.status.value,
            reason=record.reason,
            created_at=record.created_at,
            refunded_at=record.refunded_at,
        )


class PaymentPage(msgspec.Struct, rename="camel"):
    items: list[PaymentView]
    total: PageTotal
    limit: PageLimit
    offset: PageOffset

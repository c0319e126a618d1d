"""Response bodies of the payment API (camelCase on the wire)."""

from datetime import datetime
from decimal import Decimal

import msgspec

from payment.domain.payments import PaymentRecord


class PaymentView(msgspec.Struct, rename="camel"):
    id: str
    booking_id: str
    amount: Decimal
    currency: str
    status: str
    reason: str | None
    created_at: datetime
    refunded_at: datetime | None

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
    total: int
    limit: int
    offset: int

"""Every read and write of payments, their refunds and the refund requests parked before their charge.

Writers run inside the use case's transaction; none opens one of its own.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payment.domain.payments import ChargeResult, PaymentRecord, PaymentStatus, RefundResult
from payment.store.tables import EarlyRefundRequest, Payment, Refund
from tickethub.contracts import RefundRequested
from tickethub.kernel import new_id


def _record(row: dict[str, Any]) -> PaymentRecord:
    return PaymentRecord(
        id=row["id"],
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        amount=row["amount"],
        currency=row["currency"],
        status=PaymentStatus(row["status"]),
        reason=row["reason"],
        provider_ref=row["provider_ref"],
        created_at=row["created_at"],
        refunded_at=row["refunded_at"],
    )


class PaymentStore:
    async def find_by_booking(self, booking_id: str) -> PaymentRecord | None:
        row = await Payment.select().where(Payment.booking_id == booking_id).first()
        return _record(row) if row else None

    async def add_payment(
        self,
        *,
        booking_id: str,
        user_id: str,
        amount: Decimal,
        currency: str,
        result: ChargeResult,
        now: datetime,
    ) -> PaymentRecord | None:
        """Records the charge; None if the booking already has a payment (the unique booking id decides)."""
        rows = await (
            Payment.insert(
                Payment(
                    id=new_id(),
                    booking_id=booking_id,
                    user_id=user_id,
                    amount=amount,
                    currency=currency,
                    status=result.status.value,
                    reason=result.reason,
                    provider_ref=result.reference,
                    created_at=now,
                    refunded_at=None,
                )
            )
            .on_conflict(target=Payment.booking_id, action="DO NOTHING")
            .returning(*Payment.all_columns())
        )
        return _record(rows[0]) if rows else None

    async def mark_refunded(
        self, payment_id: UUID, *, refund: RefundResult, reason: str, now: datetime
    ) -> PaymentRecord | None:
        """CHARGED -> REFUNDED plus the refund row; None if the payment was not CHARGED (already refunded).

        The payment's `reason` becomes the refund's, so the buyer's payment list says why it was refunded.
        """
        rows = await (
            Payment.update(
                {
                    Payment.status: PaymentStatus.REFUNDED.value,
                    Payment.refunded_at: now,
                    Payment.reason: reason,
                }
            )
            .where((Payment.id == payment_id) & (Payment.status == PaymentStatus.CHARGED.value))
            .returning(*Payment.all_columns())
        )
        if not rows:
            return None
        await Refund.insert(
            Refund(
                id=new_id(),
                payment_id=payment_id,
                reason=reason,
                provider_ref=refund.reference,
                created_at=now,
            )
        )
        return _record(rows[0])

    async def list_for_user(
        self, user_id: str, *, limit: int, offset: int
    ) -> tuple[list[PaymentRecord], int]:
        """The user's payments, newest first, and how many there are in all."""
        rows = await (
            Payment.select()
            .where(Payment.user_id == user_id)
            .order_by(Payment.created_at, Payment.id, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        total = await Payment.count().where(Payment.user_id == user_id)
        return [_record(row) for row in rows], total

    async def lock_booking(self, booking_id: str) -> None:
        """Serialises, until the transaction ends, recording a booking's charge and parking its early
        refund: without it each could miss the other (each checks for the other's row before either
        commits)."""
        await Payment.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", f"payment:{booking_id}")

    async def park_refund(self, request: RefundRequested, *, now: datetime) -> None:
        """Keeps a refund request for a booking not charged yet; a repeat of it changes nothing."""
        await EarlyRefundRequest.insert(
            EarlyRefundRequest(
                booking_id=request.booking_id,
                event_id=request.event_id,
                reason=request.reason,
                requested_at=now,
            )
        ).on_conflict(target=EarlyRefundRequest.booking_id, action="DO NOTHING")

    async def parked_refund(self, booking_id: str) -> RefundRequested | None:
        row = await EarlyRefundRequest.select().where(EarlyRefundRequest.booking_id == booking_id).first()
        if row is None:
            return None
        return RefundRequested(
            event_id=row["event_id"],
            occurred_at=row["requested_at"],
            booking_id=booking_id,
            reason=row["reason"],
        )

    async def drop_parked_refund(self, booking_id: str) -> None:
        await EarlyRefundRequest.delete().where(EarlyRefundRequest.booking_id == booking_id)

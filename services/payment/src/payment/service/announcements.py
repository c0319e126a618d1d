"""The events that tell booking how a payment ended, written to the outbox in the use case's transaction.

Each carries the id `announcement_id` gives it, so announcing an outcome again reaches booking's inbox
as the same event.
"""

from payment.domain.payments import Announcement, PaymentRecord, announcement_id
from payment.service.context import PaymentContext
from tickethub.contracts import (
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
)
from tickethub.outbox import add_to_outbox


async def announce_charge(payment: PaymentRecord) -> None:
    event_id = announcement_id(payment.id, payment.outcome)
    if payment.outcome is Announcement.FAILED:
        await add_to_outbox(
            PAYMENT_FAILED,
            payment.booking_id,
            PaymentFailed(
                event_id=event_id,
                occurred_at=payment.created_at,
                booking_id=payment.booking_id,
                reason=payment.reason or "declined",
            ),
        )
        return
    await add_to_outbox(
        PAYMENT_SUCCEEDED,
        payment.booking_id,
        PaymentSucceeded(
            event_id=event_id,
            occurred_at=payment.created_at,
            booking_id=payment.booking_id,
            payment_id=str(payment.id),
            amount=payment.amount,
            currency=payment.currency,
        ),
    )


async def announce_refund(context: PaymentContext, refunded: PaymentRecord) -> None:
    await add_to_outbox(
        PAYMENT_REFUNDED,
        refunded.booking_id,
        PaymentRefunded(
            event_id=announcement_id(refunded.id, Announcement.REFUNDED),
            occurred_at=refunded.refunded_at or context.clock(),
            booking_id=refunded.booking_id,
            payment_id=str(refunded.id),
            amount=refunded.amount,
            currency=refunded.currency,
        ),
    )

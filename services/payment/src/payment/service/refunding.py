"""Refunding a charged booking once per payment, and parking a refund that comes before its charge.

A repeated RefundRequested of a refunded payment does not refund again: it re-announces the refund
with its original event id (see `announcement_id`), as charging does for a repeated BookingRequested.

A RefundRequested can arrive while its booking's charge is still at the provider (booking cancels a
booking whose payment is under way; the two topics are not ordered with each other). Ignoring it would
keep money that must be given back, and retrying the message until the charge is recorded would hold
up every later refund of its partition, perhaps for as long as the provider takes. So it is parked
(`early_refund_requests`) and the charge, once recorded, honours it through the ordinary refund path.
Recording a charge and parking a refund take the same per-booking lock, so one always sees the other;
the parked request is looked for after the charge's own transaction, so a crash in between is
recovered by Kafka's redelivery of the BookingRequested.
"""

import logging

from payment.domain.payments import PaymentRecord, PaymentStatus, RefundResult
from payment.service.announcements import announce_refund
from payment.service.context import PaymentContext
from tickethub.contracts import RefundRequested
from tickethub.inbox import first_delivery

# The inbox consumer, stored with every processed message id: never rename it.
REFUND_CONSUMER = "payment:booking.refund-requested.v1"

_log = logging.getLogger("payment.saga")


async def refund_booking(context: PaymentContext, event: RefundRequested) -> None:
    """Refunds the booking's charge and announces it; parks the request while no charge is recorded,
    and ignores it when the charge was declined."""
    payment = await context.payments.find_by_booking(event.booking_id)
    if payment is None:
        if await _park_early_refund(context, event):
            _log.info("refund for booking %s waits for its charge (%s)", event.booking_id, event.reason)
            return
        payment = await context.payments.find_by_booking(event.booking_id)  # recorded meanwhile
    if payment is None or payment.status is PaymentStatus.DECLINED:
        # Nothing was taken, so there is nothing to give back: no refund, no event, no record.
        _log.info("refund requested for booking %s, whose charge was declined; ignored", event.booking_id)
        await context.payments.drop_parked_refund(event.booking_id)  # one statement: atomic on its own
        return
    refund = None
    if payment.status is PaymentStatus.CHARGED:
        refund = await context.provider.refund(
            key=f"refund:{payment.id}",
            charge_reference=payment.provider_ref or "",
            amount=payment.amount,
            currency=payment.currency,
        )
    async with context.uow.transaction():
        if await first_delivery(REFUND_CONSUMER, event.event_id):
            await context.payments.drop_parked_refund(event.booking_id)
            await announce_refund(context, await _mark_refunded(context, payment, refund, event.reason))


async def _park_early_refund(context: PaymentContext, event: RefundRequested) -> bool:
    """Parks the request of a booking not charged yet; False if its charge was recorded meanwhile."""
    async with context.uow.transaction():
        await context.payments.lock_booking(event.booking_id)
        if await context.payments.find_by_booking(event.booking_id) is not None:
            return False
        await context.payments.park_refund(event, now=context.clock())
    return True


async def _mark_refunded(
    context: PaymentContext, payment: PaymentRecord, refund: RefundResult | None, reason: str
) -> PaymentRecord:
    """The payment refunded now, or as refunded before; inside the caller's transaction."""
    if refund is not None:
        refunded = await context.payments.mark_refunded(
            payment.id, refund=refund, reason=reason, now=context.clock()
        )
        if refunded is not None:
            return refunded
    # Refunded before (or concurrently): re-announce that refund.
    current = await context.payments.find_by_booking(payment.booking_id)
    if current is None or current.status is not PaymentStatus.REFUNDED:
        raise RuntimeError(f"payment {payment.id} is neither refundable nor refunded")
    _log.info(
        "payment %s of booking %s was already refunded; re-announcing it", current.id, current.booking_id
    )
    return current

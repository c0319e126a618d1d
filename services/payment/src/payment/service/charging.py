"""Charging a requested booking: once per booking, whatever Kafka redelivers and however often booking asks.

A second BookingRequested for an already-paid booking under a NEW event id (booking re-asking) does
not charge: it re-announces the recorded outcome with the outcome's original event id (see
`announcement_id`), so booking's inbox drops it if the first announcement arrived and applies it if
it was lost.
"""

import logging

from payment.domain.payments import ChargeResult, PaymentRecord
from payment.service.announcements import announce_charge
from payment.service.context import PaymentContext
from payment.service.refunding import refund_booking
from tickethub.contracts import BookingRequested
from tickethub.inbox import first_delivery

# The inbox consumer, stored with every processed message id: never rename it.
CHARGE_CONSUMER = "payment:booking.requested.v1"

_log = logging.getLogger("payment.saga")


async def charge_booking(context: PaymentContext, event: BookingRequested) -> None:
    """Charges the booking unless it has a payment already, records and announces the outcome, then
    honours a refund requested while the charge was under way."""
    result = None
    if await context.payments.find_by_booking(event.booking_id) is None:
        result = await context.provider.charge(
            key=event.booking_id, amount=event.amount, currency=event.currency, token=event.payment_token
        )
    async with context.uow.transaction():
        if await first_delivery(CHARGE_CONSUMER, event.event_id):
            await announce_charge(await _record_charge(context, event, result))
    # After the charge's own transaction (see refunding): a crash before this is recovered by Kafka's
    # redelivery of the BookingRequested.
    if parked := await context.payments.parked_refund(event.booking_id):
        await refund_booking(context, parked)


async def _record_charge(
    context: PaymentContext, event: BookingRequested, result: ChargeResult | None
) -> PaymentRecord:
    """The booking's payment, recorded now from `result` or found as recorded before; inside the
    caller's transaction."""
    await context.payments.lock_booking(event.booking_id)
    payment = None
    if result is not None:
        payment = await context.payments.add_payment(
            booking_id=event.booking_id,
            user_id=event.user_id,
            amount=event.amount,
            currency=event.currency,
            result=result,
            now=context.clock(),
        )
    if payment is None:  # paid before (or concurrently): announce that outcome, charge nothing
        payment = await context.payments.find_by_booking(event.booking_id)
        if payment is None:
            raise RuntimeError(f"booking {event.booking_id} has neither a new nor an existing payment")
        _log.info(
            "booking %s already has payment %s (%s); re-announcing it",
            event.booking_id,
            payment.id,
            payment.status,
        )
    return payment

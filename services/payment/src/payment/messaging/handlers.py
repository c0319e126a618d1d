"""Kafka handlers of payment: charge each requested booking once, refund each charged booking once.

Why the provider is called OUTSIDE the database transaction: a slow processor (PAYMENT_MOCK_LATENCY_MS,
or a real one on a bad day) would otherwise pin a pooled connection and an open transaction per
in-flight payment. That is safe because the provider is idempotent per key (the booking id for a
charge, the payment id for a refund): if the process dies after the provider answered but before the
transaction below committed, Kafka redelivers the message (its offset is committed only after the
handler returns), the provider returns the same answer without moving money again, and the record
is written then. Once recorded, the unique payments.booking_id and the guarded CHARGED -> REFUNDED
update make every later attempt a no-op.

A second BookingRequested for an already-paid booking under a NEW event id (booking re-asking) does
not charge: it re-announces the recorded outcome with the outcome's original event id (see
`announcement_id`), so booking's inbox drops it if the first announcement arrived and applies it if
it was lost. The same holds for a repeated RefundRequested of a refunded payment.

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
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from piccolo.engine.postgres import PostgresEngine

from payment.domain.payments import (
    Announcement,
    PaymentProvider,
    PaymentRecord,
    PaymentStatus,
    RefundResult,
    announcement_id,
)
from payment.store import repository
from tickethub.contracts import (
    BOOKING_REQUESTED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    REFUND_REQUESTED,
    BookingRequested,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
    RefundRequested,
    consumed_by,
    published_by,
)
from tickethub.inbox import handle_once
from tickethub.messaging import subscribe
from tickethub.outbox import add_to_outbox

GROUP = "payment"
CHARGE_CONSUMER = f"{GROUP}:{BOOKING_REQUESTED.name}"
REFUND_CONSUMER = f"{GROUP}:{REFUND_REQUESTED.name}"
CONSUMED_TOPICS = consumed_by(GROUP)
PUBLISHED_TOPICS = published_by(GROUP)

_log = logging.getLogger("payment.messaging")


def _now() -> datetime:
    return datetime.now(UTC)


def register_handlers(broker: KafkaBroker, *, engine: PostgresEngine, provider: PaymentProvider) -> None:
    @subscribe(broker, BOOKING_REQUESTED, group=GROUP)
    async def on_booking_requested(event: BookingRequested) -> None:
        await charge_booking(event, engine=engine, provider=provider)

    @subscribe(broker, REFUND_REQUESTED, group=GROUP)
    async def on_refund_requested(event: RefundRequested) -> None:
        await refund_booking(event, engine=engine, provider=provider)


async def charge_booking(
    event: BookingRequested, *, engine: PostgresEngine, provider: PaymentProvider
) -> None:
    existing = await repository.find_by_booking(event.booking_id)
    result = None
    if existing is None:
        result = await provider.charge(
            key=event.booking_id, amount=event.amount, currency=event.currency, token=event.payment_token
        )

    async def record(_: BookingRequested) -> None:
        await repository.lock_booking(event.booking_id)
        payment = None
        if result is not None:
            payment = await repository.add_payment(
                booking_id=event.booking_id,
                user_id=event.user_id,
                amount=event.amount,
                currency=event.currency,
                result=result,
                now=_now(),
            )
        if payment is None:  # paid before (or concurrently): announce that outcome, charge nothing
            payment = await repository.find_by_booking(event.booking_id)
            if payment is None:
                raise RuntimeError(f"booking {event.booking_id} has neither a new nor an existing payment")
            _log.info(
                "booking %s already has payment %s (%s); re-announcing it",
                event.booking_id,
                payment.id,
                payment.status,
            )
        await _announce_charge(payment)

    await handle_once(engine, CHARGE_CONSUMER)(record)(event)
    if parked := await repository.parked_refund(event.booking_id):
        await refund_booking(parked, engine=engine, provider=provider)


async def _announce_charge(payment: PaymentRecord) -> None:
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


async def refund_booking(
    event: RefundRequested, *, engine: PostgresEngine, provider: PaymentProvider
) -> None:
    payment = await repository.find_by_booking(event.booking_id)
    if payment is None:
        if await _park_early_refund(event, engine=engine):
            _log.info("refund for booking %s waits for its charge (%s)", event.booking_id, event.reason)
            return
        payment = await repository.find_by_booking(event.booking_id)  # recorded meanwhile
    if payment is None or payment.status is PaymentStatus.DECLINED:
        # Nothing was taken, so there is nothing to give back: no refund, no event, no record.
        _log.info("refund requested for booking %s, whose charge was declined; ignored", event.booking_id)
        await repository.drop_parked_refund(event.booking_id)
        return
    refund = None
    if payment.status is PaymentStatus.CHARGED:
        refund = await provider.refund(
            key=f"refund:{payment.id}",
            charge_reference=payment.provider_ref or "",
            amount=payment.amount,
            currency=payment.currency,
        )

    async def record(_: RefundRequested) -> None:
        await repository.drop_parked_refund(event.booking_id)
        refunded = await _mark_refunded(payment, refund, event.reason)
        await add_to_outbox(
            PAYMENT_REFUNDED,
            refunded.booking_id,
            PaymentRefunded(
                event_id=announcement_id(refunded.id, Announcement.REFUNDED),
                occurred_at=refunded.refunded_at or _now(),
                booking_id=refunded.booking_id,
                payment_id=str(refunded.id),
                amount=refunded.amount,
                currency=refunded.currency,
            ),
        )

    await handle_once(engine, REFUND_CONSUMER)(record)(event)


async def _park_early_refund(event: RefundRequested, *, engine: PostgresEngine) -> bool:
    """Parks the request of a booking not charged yet; False if its charge was recorded meanwhile."""
    async with engine.transaction():
        await repository.lock_booking(event.booking_id)
        if await repository.find_by_booking(event.booking_id) is not None:
            return False
        await repository.park_refund(event, now=_now())
    return True


async def _mark_refunded(payment: PaymentRecord, refund: RefundResult | None, reason: str) -> PaymentRecord:
    if refund is not None:
        refunded = await repository.mark_refunded(payment.id, refund=refund, reason=reason, now=_now())
        if refunded is not None:
            return refunded
    # Refunded before (or concurrently): re-announce that refund.
    current = await repository.find_by_booking(payment.booking_id)
    if current is None or current.status is not PaymentStatus.REFUNDED:
        raise RuntimeError(f"payment {payment.id} is neither refundable nor refunded")
    _log.info(
        "payment %s of booking %s was already refunded; re-announcing it", current.id, current.booking_id
    )
    return current

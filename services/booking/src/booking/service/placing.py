"""Placing a booking: the Idempotency-Key, the Redis holds and the one-statement write, in that order.

The key is claimed first, so a retry racing its original waits (409, Retry-After) instead of booking
twice; the seats are held next, so racing buyers fail fast; PostgreSQL then records the booking and
the key's answer in one statement (atomic on its own: no transaction to open). Whatever fails gives
back what was taken before it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from opentelemetry import trace

from booking.adapters.holds import Hold
from booking.domain.errors import IdempotencyKeyReused, IdempotentRequestInProgress, SeatsTaken, UnknownShow
from booking.domain.idempotency import request_fingerprint
from booking.domain.lifecycle import BookingStatus
from booking.domain.model import BookingRecord, select_seats
from booking.service.context import BookingContext
from tickethub.contracts import BOOKING_REQUESTED, BookingRequested
from tickethub.kernel import new_id
from tickethub.outbox import OutboxValues, outbox_values


@dataclass(frozen=True, slots=True)
class Buyer:
    user_id: str
    email: str
    name: str = ""  # what the e-mails greet the buyer with


@dataclass(frozen=True, slots=True)
class BookingOrder:
    """What a buyer asks for; prices are the server's, never the client's."""

    show_id: str
    seats: Sequence[str]
    payment_token: str | None


@dataclass(frozen=True, slots=True)
class Placement:
    booking: BookingRecord  # as accepted: PENDING, priced, with its hold's expiry
    replayed: bool  # the answer stored for an earlier request with the same Idempotency-Key


async def place_booking(
    context: BookingContext, buyer: Buyer, order: BookingOrder, idempotency_key: str | None
) -> Placement:
    booking_id = new_id()  # also the owner token of its holds
    if idempotency_key is None:
        return Placement(await _book(context, booking_id, buyer, order, None), replayed=False)
    keys = context.idempotency_keys
    fingerprint = request_fingerprint(order.show_id, order.seats, order.payment_token)
    if not await keys.claim(buyer.user_id, idempotency_key, fingerprint, booking_id):
        stored = await keys.find(buyer.user_id, idempotency_key)
        if stored is None or stored.accepted is None:
            raise IdempotentRequestInProgress()  # or given back a moment ago: a retry will tell
        if stored.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        return Placement(stored.accepted, replayed=True)
    try:
        return Placement(await _book(context, booking_id, buyer, order, idempotency_key), replayed=False)
    except BaseException:
        await keys.give_back(buyer.user_id, idempotency_key, booking_id)  # failures are not remembered
        raise


async def _book(
    context: BookingContext, booking_id: UUID, buyer: Buyer, order: BookingOrder, key: str | None
) -> BookingRecord:
    show = await context.shows.load(order.show_id)
    if show is None:
        raise UnknownShow(order.show_id)
    settings = context.settings
    now = context.clock()
    selection = select_seats(show, order.seats, now=now, max_seats=settings.max_seats_per_booking)
    trace.get_current_span().set_attribute("tickethub.booking.id", str(booking_id))
    hold = Hold(show_id=show.show_id, seats=selection.seats, owner=str(booking_id), buyer=buyer.user_id)
    taken = await context.holds.hold(
        hold, ttl_seconds=show.hold_seconds, buyer_cap=settings.max_held_seats_per_user
    )
    if taken:
        raise SeatsTaken(taken)
    booking = BookingRecord(
        id=str(booking_id),
        user_id=buyer.user_id,
        user_email=buyer.email,
        user_name=buyer.name,
        show_id=show.show_id,
        status=BookingStatus.PENDING,
        amount=selection.amount,
        currency=settings.currency,
        seats=selection.seats,
        hold_expires_at=selection.hold_expires_at,
        created_at=now,
    )
    try:
        await context.bookings.create_pending(
            booking,
            payment_token=order.payment_token,
            idempotency_key=key,
            announcement=booking_requested(booking, order.payment_token),
        )
    except BaseException:
        await context.holds.release(hold)
        raise
    return booking


def booking_requested(booking: BookingRecord, payment_token: str | None) -> OutboxValues:
    """The outbox row that asks payment to charge the booking (written in the booking's own statement)."""
    event = BookingRequested(
        booking_id=booking.id,
        user_id=booking.user_id,
        show_id=booking.show_id,
        seats=list(booking.seats),
        amount=booking.amount,
        currency=booking.currency,
        payment_token=payment_token,
        hold_expires_at=booking.hold_expires_at,
    )
    return outbox_values(BOOKING_REQUESTED, booking.id, event)

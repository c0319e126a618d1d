"""Placing a booking: the Idempotency-Key, the Redis holds and the one-statement write, in that order.

The key is claimed first, so a retry racing its original waits (409, Retry-After) instead of booking
twice; the seats are held next, so racing buyers fail fast; PostgreSQL then records the booking and
the key's response in one statement. Whatever fails gives back what was taken before it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import msgspec
from opentelemetry import trace

from booking.api.dto import BookingRequest, BookingResponse
from booking.domain.errors import (
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    SeatsTaken,
    UnknownShow,
)
from booking.domain.idempotency import request_fingerprint
from booking.domain.model import select_seats
from booking.settings import Settings
from booking.store import idempotency
from booking.store.bookings import BookingStore, IdempotentAnswer
from booking.store.holds import Hold, SeatHolds


@dataclass(frozen=True, slots=True)
class Placement:
    response: BookingResponse
    replayed: bool  # the stored answer to an earlier request with the same Idempotency-Key


@dataclass(frozen=True, slots=True)
class BookingDesk:
    store: BookingStore
    holds: SeatHolds
    settings: Settings

    async def place(self, user_id: str, user_email: str, data: BookingRequest, key: str | None) -> Placement:
        booking_id = uuid4()  # also the owner token of its holds
        if key is None:
            return Placement(await self._book(booking_id, user_id, user_email, data, key), replayed=False)
        fingerprint = request_fingerprint(data.show_id, data.seats, data.payment_token)
        if not await idempotency.claim(user_id, key, fingerprint, booking_id):
            stored = await idempotency.find(user_id, key)
            if stored is None or stored.response is None:
                raise IdempotentRequestInProgress()  # or given back a moment ago: a retry will tell
            if stored.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            return Placement(msgspec.convert(stored.response, BookingResponse), replayed=True)
        try:
            return Placement(await self._book(booking_id, user_id, user_email, data, key), replayed=False)
        except BaseException:
            await idempotency.give_back(user_id, key, booking_id)  # failures are not remembered
            raise

    async def _book(
        self, booking_id: UUID, user_id: str, user_email: str, data: BookingRequest, key: str | None
    ) -> BookingResponse:
        show = await self.store.load_show(data.show_id)
        if show is None:
            raise UnknownShow(data.show_id)
        now = datetime.now(UTC)
        selection = select_seats(show, data.seats, now=now, max_seats=self.settings.max_seats_per_booking)
        trace.get_current_span().set_attribute("tickethub.booking.id", str(booking_id))
        hold = Hold(show_id=show.show_id, seats=selection.seats, owner=str(booking_id), buyer=user_id)
        taken = await self.holds.hold(
            hold, ttl_seconds=show.hold_seconds, buyer_cap=self.settings.max_held_seats_per_user
        )
        if taken:
            raise SeatsTaken(taken)
        response = BookingResponse(
            id=str(booking_id),
            status="PENDING",
            show_id=show.show_id,
            seats=list(selection.seats),
            amount=selection.amount,
            currency=self.settings.currency,
            hold_expires_at=selection.hold_expires_at,
            created_at=now,
        )
        try:
            await self.store.create_pending(
                booking_id=str(booking_id),
                user_id=user_id,
                user_email=user_email,
                show_id=show.show_id,
                selection=selection,
                currency=self.settings.currency,
                payment_token=data.payment_token,
                now=now,
                idempotency=IdempotentAnswer(key, msgspec.json.encode(response).decode()) if key else None,
            )
        except BaseException:
            await self.holds.release(hold)
            raise
        return response

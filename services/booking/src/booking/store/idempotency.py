"""Idempotency keys of POST /bookings: claimed before the attempt, answered by the booking's statement.

A key is claimed (response NULL) before seats are held, so two concurrent requests with one key cannot
both book; the statement that creates the booking stores its response in the same row (see
`bookings.create_pending`), and a failed attempt gives the key back. A claim whose request died without
an answer is taken over once it is older than any request can take.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from booking.domain.lifecycle import BookingStatus
from booking.domain.model import BookingRecord
from booking.store.tables import Booking

ABANDONED_AFTER = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class StoredKey:
    request_hash: str
    accepted: BookingRecord | None  # the booking as first accepted; None while that request still runs


def encode_accepted(record: BookingRecord) -> str:
    """The accepted booking as stored under its key (the JSON of the first answer, so keys stored by
    earlier versions still read back)."""
    return json.dumps(
        {
            "id": record.id,
            "status": str(record.status),
            "showId": record.show_id,
            "seats": list(record.seats),
            "amount": str(record.amount),
            "currency": record.currency,
            "holdExpiresAt": record.hold_expires_at.isoformat(),
            "createdAt": record.created_at.isoformat(),
            "userEmail": record.user_email,
            "userName": record.user_name,
        }
    )


def _decode_accepted(user_id: str, stored: dict[str, Any]) -> BookingRecord:
    return BookingRecord(
        id=stored["id"],
        user_id=user_id,
        user_email=stored.get("userEmail", ""),
        user_name=stored.get("userName", ""),
        show_id=stored["showId"],
        status=BookingStatus(stored["status"]),
        amount=Decimal(stored["amount"]),
        currency=stored["currency"],
        seats=tuple(stored["seats"]),
        hold_expires_at=datetime.fromisoformat(stored["holdExpiresAt"]),
        created_at=datetime.fromisoformat(stored["createdAt"]),
    )


class IdempotencyKeys:
    async def claim(self, user_id: str, key: str, request_hash: str, booking_id: UUID) -> bool:
        """True if this request now owns the key (a new key, or an abandoned claim taken over)."""
        rows = await Booking.raw(
            """
            INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at)
            VALUES ({}, {}, {}, {}, now())
            ON CONFLICT (user_id, key) DO UPDATE SET
                request_hash = EXCLUDED.request_hash, booking_id = EXCLUDED.booking_id, created_at = now()
            WHERE idempotency_keys.response IS NULL AND idempotency_keys.created_at < now() - {}::interval
            RETURNING booking_id
            """,
            user_id,
            key,
            request_hash,
            booking_id,
            ABANDONED_AFTER,
        )
        return bool(rows)  # a conflicting key that is answered or still young returns no row

    async def find(self, user_id: str, key: str) -> StoredKey | None:
        rows = await Booking.raw(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = {} AND key = {}",
            user_id,
            key,
        )
        if not rows:
            return None
        response = rows[0]["response"]
        stored = json.loads(response) if isinstance(response, str) else response
        return StoredKey(
            request_hash=rows[0]["request_hash"],
            accepted=None if stored is None else _decode_accepted(user_id, stored),
        )

    async def give_back(self, user_id: str, key: str, booking_id: UUID) -> None:
        """Frees a key whose request failed, so the client may retry with it."""
        await Booking.raw(
            "DELETE FROM idempotency_keys "
            "WHERE user_id = {} AND key = {} AND booking_id = {} AND response IS NULL",
            user_id,
            key,
            booking_id,
        )

    async def forget_older_than(self, age: timedelta, *, limit: int = 1000) -> int:
        """Deletes keys past their retention (a client retries within minutes, not days)."""
        rows = await Booking.raw(
            """
            DELETE FROM idempotency_keys WHERE ctid IN (
                SELECT ctid FROM idempotency_keys WHERE created_at < now() - {}::interval LIMIT {}
            ) RETURNING 1
            """,
            age,
            limit,
        )
        return len(rows)

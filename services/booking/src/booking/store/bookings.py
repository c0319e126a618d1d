"""Every query of the booking database: the saga's guarded transitions live here, in SQL.

The guards (`WHERE status = 'PENDING' AND hold_expires_at > now()`) are what make the saga safe under
redelivery, races and late payments; the domain decides what to ask for, the database decides what
actually happens.
"""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from booking.domain.errors import SeatsTaken
from booking.domain.model import (
    BookingRecord,
    BookingStatus,
    Cancellation,
    SeatCounts,
    SeatSelection,
    ShowView,
)
from booking.store.tables import Booking, BookingSeat, ShowReadModel
from tickethub.contracts import BOOKING_REQUESTED, BookingRequested, ShowPublished
from tickethub.db import violates
from tickethub.outbox import OUTBOX_COLUMNS, outbox_values

ACTIVE_SEAT_INDEX = "booking_seats_active_seat"

# Only the outbox lib's column list is interpolated; every value is a bind parameter.
_CREATE_PENDING = f"""
WITH booking AS (
    INSERT INTO bookings (id, user_id, user_email, show_id, status, amount, currency, payment_token,
                          hold_expires_at, created_at, updated_at)
    VALUES ({{}}, {{}}, {{}}, {{}}, 'PENDING', {{}}, {{}}, {{}}, {{}}, {{}}, {{}})
), seats AS (
    INSERT INTO booking_seats (booking_id, show_id, seat_id, status)
    SELECT {{}}, {{}}, seat, 'HELD' FROM unnest({{}}::varchar[]) AS seat
), idempotency AS (
    UPDATE idempotency_keys SET response = {{}}::jsonb
    WHERE user_id = {{}} AND key = {{}} AND booking_id = {{}}
)
INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES ({{}}, {{}}, {{}}, {{}}::jsonb, {{}})
"""  # noqa: S608

_SELECT_BOOKINGS = """
SELECT b.id::text AS id, b.user_id, b.user_email, b.show_id, b.status, b.amount, b.currency,
    b.hold_expires_at, b.created_at, b.updated_at,
    ARRAY(SELECT s.seat_id FROM booking_seats s WHERE s.booking_id = b.id ORDER BY s.seat_id) AS seats
FROM bookings b
"""


def _cancel_active(which: str) -> str:
    """PENDING or CONFIRMED -> CANCELLED for the bookings `which` selects, their seats RELEASED, in one
    statement; returns each booking's id and the status it had. `which` is a constant of this module.

    The rows are locked first (FOR UPDATE re-reads a row a concurrent saga step just changed), so a
    booking confirmed meanwhile is cancelled as CONFIRMED (and refunded), and one that ended meanwhile
    is left alone.
    """
    return f"""
WITH target AS (
    SELECT id, status FROM bookings
    WHERE {which} AND status IN ('PENDING', 'CONFIRMED')
    ORDER BY id LIMIT {{}} FOR UPDATE
), cancelled AS (
    UPDATE bookings b SET status = 'CANCELLED', updated_at = now() FROM target t
    WHERE b.id = t.id RETURNING b.id, t.status AS previous
), seats AS (
    UPDATE booking_seats s SET status = 'RELEASED' FROM cancelled c
    WHERE s.booking_id = c.id AND s.status IN ('HELD', 'SOLD')
)
SELECT id, previous FROM cancelled
"""  # noqa: S608


_CANCEL_BOOKING = _cancel_active("id = {}")
_CANCEL_SHOW_BOOKINGS = _cancel_active("show_id = {}")


_BEFORE_EVERY_ID = UUID(int=0)


@dataclass(frozen=True, slots=True)
class EndedCursor:
    """Where a reader of ended bookings has got to: (updated_at, id), the order of the index."""

    ended_at: datetime
    booking_id: UUID = _BEFORE_EVERY_ID


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """The claimed Idempotency-Key and the JSON response to store under it."""

    key: str
    response: str


def _record(row: dict[str, Any]) -> BookingRecord:
    return BookingRecord(
        id=str(row["id"]),
        user_id=row["user_id"],
        user_email=row["user_email"],
        show_id=row["show_id"],
        status=BookingStatus(row["status"]),
        amount=row["amount"],
        currency=row["currency"],
        seats=tuple(row["seats"]),
        hold_expires_at=row["hold_expires_at"],
        created_at=row["created_at"],
    )


class BookingStore:
    def __init__(self, engine: PostgresEngine, *, show_cache_seconds: float) -> None:
        self.engine = engine
        self._show_cache: dict[str, tuple[float, ShowView]] = {}
        self._show_cache_seconds = show_cache_seconds

    # -- the show read model (fed by catalog's ShowPublished events) ---------------------------

    async def save_show(self, event: ShowPublished) -> bool:
        """Upserts the show unless a newer revision is already stored; True if stored."""
        rows = await ShowReadModel.raw(
            """
            INSERT INTO shows (show_id, revision, status, movie_title, starts_at, hold_seconds,
                               prices, seat_categories, updated_at)
            VALUES ({}, {}, {}, {}, {}, {}, {}::jsonb, {}::jsonb, now())
            ON CONFLICT (show_id) DO UPDATE SET
                revision = EXCLUDED.revision, status = EXCLUDED.status,
                movie_title = EXCLUDED.movie_title, starts_at = EXCLUDED.starts_at,
                hold_seconds = EXCLUDED.hold_seconds, prices = EXCLUDED.prices,
                seat_categories = EXCLUDED.seat_categories, updated_at = now()
            WHERE shows.revision < EXCLUDED.revision
            RETURNING show_id
            """,
            event.show_id,
            event.revision,
            event.status,
            event.movie_title,
            event.starts_at,
            event.hold_seconds,
            json.dumps({category: str(price) for category, price in event.prices.items()}),
            json.dumps({seat.seat_id: seat.category for seat in event.seats}),
        )
        self._show_cache.pop(event.show_id, None)
        return bool(rows)

    async def mark_show_cancelled(self, show_id: str, revision: int) -> None:
        """The read model learns of the cancellation at once, whichever of ShowCancelled and the
        ShowPublished of the same revision arrives first (both say CANCELLED)."""
        await ShowReadModel.raw(
            "UPDATE shows SET status = 'CANCELLED', revision = greatest(revision, {}), updated_at = now() "
            "WHERE show_id = {}",
            revision,
            show_id,
        )
        self._show_cache.pop(show_id, None)

    async def show_is_cancelled(self, show_id: str) -> bool:
        """Read past the cache: the saga must not act on a cancellation it has not seen yet."""
        return await ShowReadModel.exists().where(
            (ShowReadModel.show_id == show_id) & (ShowReadModel.status == "CANCELLED")
        )

    async def load_show(self, show_id: str) -> ShowView | None:
        """The show as booking sees it; cached briefly because a 10,000-seat map is not small."""
        cached = self._show_cache.get(show_id)
        if cached and time.monotonic() - cached[0] < self._show_cache_seconds:
            return cached[1]
        row = await ShowReadModel.select().where(ShowReadModel.show_id == show_id).first()
        if row is None:
            return None
        show = ShowView(
            show_id=row["show_id"],
            revision=row["revision"],
            status=row["status"],
            movie_title=row["movie_title"],
            starts_at=row["starts_at"],
            hold_seconds=row["hold_seconds"],
            prices={category: Decimal(price) for category, price in json.loads(row["prices"]).items()},
            seat_categories=json.loads(row["seat_categories"]),
        )
        self._show_cache[show_id] = (time.monotonic(), show)
        return show

    # -- creating a booking -------------------------------------------------------------------

    async def create_pending(
        self,
        *,
        booking_id: str,
        user_id: str,
        user_email: str,
        show_id: str,
        selection: SeatSelection,
        currency: str,
        payment_token: str | None,
        now: datetime,
        idempotency: IdempotentAnswer | None = None,
    ) -> None:
        """Booking PENDING + seats HELD + BookingRequested in the outbox, in one transaction; with
        `idempotency`, the response is stored under the claimed key in the same statement.

        Raises SeatsTaken when the partial unique index finds a seat already HELD or SOLD.
        """
        event = BookingRequested(
            booking_id=booking_id,
            user_id=user_id,
            show_id=show_id,
            seats=list(selection.seats),
            amount=selection.amount,
            currency=currency,
            payment_token=payment_token,
            hold_expires_at=selection.hold_expires_at,
        )
        booking = UUID(booking_id)
        try:
            # One statement, so one round trip and atomic without BEGIN/COMMIT; the foreign key of
            # the seats is checked at its end, when the booking row exists.
            await Booking.raw(
                _CREATE_PENDING,
                booking,
                user_id,
                user_email,
                show_id,
                selection.amount,
                currency,
                payment_token,
                selection.hold_expires_at,
                now,
                now,
                booking,
                show_id,
                list(selection.seats),
                idempotency.response if idempotency else None,
                user_id,
                idempotency.key if idempotency else None,
                booking,
                *outbox_values(BOOKING_REQUESTED, booking_id, event),
            )
        except Exception as exc:
            if violates(exc, ACTIVE_SEAT_INDEX):
                raise SeatsTaken(await self.active_seats(show_id, selection.seats)) from exc
            raise

    async def active_seats(self, show_id: str, seats: Sequence[str]) -> list[str]:
        rows = await BookingSeat.select(BookingSeat.seat_id).where(
            (BookingSeat.show_id == show_id)
            & BookingSeat.seat_id.is_in(list(seats))
            & BookingSeat.status.is_in(["HELD", "SOLD"])
        )
        return sorted(row["seat_id"] for row in rows)

    # -- reading ----------------------------------------------------------------------------------

    async def get(self, booking_id: str) -> BookingRecord | None:
        rows = await Booking.raw(_SELECT_BOOKINGS + "WHERE b.id = {}", UUID(booking_id))
        return _record(rows[0]) if rows else None

    async def list_for_user(
        self, user_id: str, *, limit: int, offset: int
    ) -> tuple[list[BookingRecord], int]:
        rows = await Booking.raw(
            _SELECT_BOOKINGS + "WHERE b.user_id = {} ORDER BY b.created_at DESC, b.id LIMIT {} OFFSET {}",
            user_id,
            limit,
            offset,
        )
        total = await Booking.count().where(Booking.user_id == user_id)
        return [_record(row) for row in rows], total

    async def ended_after(
        self, cursor: EndedCursor, *, settled: timedelta, limit: int
    ) -> tuple[list[BookingRecord], EndedCursor]:
        """Bookings that ended (CANCELLED, EXPIRED, REFUNDED) after `cursor`, in the order they ended,
        and the cursor past them. Only those that ended `settled` ago: `updated_at` is when their
        transaction began, so a younger row may still be invisible behind an open transaction and be
        skipped by a cursor that moved past it."""
        rows = await Booking.raw(
            _SELECT_BOOKINGS
            + "WHERE b.status IN ('CANCELLED', 'EXPIRED', 'REFUNDED') AND (b.updated_at, b.id) > ({}, {}) "
            "AND b.updated_at <= now() - {}::interval ORDER BY b.updated_at, b.id LIMIT {}",
            cursor.ended_at,
            cursor.booking_id,
            settled,
            limit,
        )
        if not rows:
            return [], cursor
        last = rows[-1]
        return [_record(row) for row in rows], EndedCursor(last["updated_at"], UUID(last["id"]))

    async def seat_statuses(self, show_id: str) -> dict[str, str]:
        rows = await BookingSeat.select(BookingSeat.seat_id, BookingSeat.status).where(
            (BookingSeat.show_id == show_id) & BookingSeat.status.is_in(["HELD", "SOLD"])
        )
        return {row["seat_id"]: row["status"] for row in rows}

    async def seat_counts(self, show: ShowView) -> SeatCounts:
        """How many of the show's seats are held by a live hold and how many are sold, from the active
        seat rows (the partial index of the double-booking guard finds them)."""
        rows = await BookingSeat.raw(
            """
            SELECT count(*) FILTER (WHERE b.status = 'PENDING' AND b.hold_expires_at > now()) AS held,
                   count(*) FILTER (WHERE b.status = 'CONFIRMED') AS sold
            FROM booking_seats s JOIN bookings b ON b.id = s.booking_id
            WHERE s.show_id = {} AND s.status IN ('HELD', 'SOLD')
            """,
            show.show_id,
        )
        return SeatCounts(total=len(show.seat_categories), held=rows[0]["held"], sold=rows[0]["sold"])

    # -- saga transitions (call inside the handler's transaction) -------------------------------

    async def confirm(self, booking_id: str) -> BookingRecord | None:
        """PENDING with a live hold of a show that is not cancelled -> CONFIRMED, seats HELD -> SOLD.
        None if the guard refused.

        The show's status closes the race with its cancellation: a booking made just before the
        cancellation reached the read model is never confirmed once it has.
        """
        rows = await Booking.raw(
            "UPDATE bookings SET status = 'CONFIRMED', updated_at = now() "
            "WHERE id = {} AND status = 'PENDING' AND hold_expires_at > now() AND NOT EXISTS ("
            "SELECT 1 FROM shows WHERE shows.show_id = bookings.show_id AND shows.status = 'CANCELLED'"
            ") RETURNING id",
            UUID(booking_id),
        )
        if not rows:
            return None
        await BookingSeat.update({BookingSeat.status: "SOLD"}).where(
            (BookingSeat.booking_id == UUID(booking_id)) & (BookingSeat.status == "HELD")
        )
        return await self.get(booking_id)

    async def end_pending(self, booking_id: str, status: BookingStatus) -> BookingRecord | None:
        """PENDING -> CANCELLED/EXPIRED, seats released. None if the booking was not PENDING."""
        rows = await Booking.raw(
            "UPDATE bookings SET status = {}, updated_at = now() "
            "WHERE id = {} AND status = 'PENDING' RETURNING id",
            str(status),
            UUID(booking_id),
        )
        if not rows:
            return None
        record = await self.get(booking_id)
        await BookingSeat.update({BookingSeat.status: "RELEASED"}).where(
            (BookingSeat.booking_id == UUID(booking_id)) & (BookingSeat.status == "HELD")
        )
        return record

    async def cancel_active(self, booking_id: str) -> Cancellation | None:
        """PENDING or CONFIRMED -> CANCELLED, seats released. None if the booking was neither."""
        cancelled = await self._cancelled(await Booking.raw(_CANCEL_BOOKING, UUID(booking_id), 1))
        return cancelled[0] if cancelled else None

    async def cancel_active_of_show(self, show_id: str, *, limit: int) -> list[Cancellation]:
        """Up to `limit` PENDING or CONFIRMED bookings of the show -> CANCELLED, seats released."""
        return await self._cancelled(await Booking.raw(_CANCEL_SHOW_BOOKINGS, show_id, limit))

    async def _cancelled(self, rows: list[dict[str, Any]]) -> list[Cancellation]:
        if not rows:
            return []
        previous = {str(row["id"]): BookingStatus(row["previous"]) for row in rows}
        records = await Booking.raw(
            _SELECT_BOOKINGS + "WHERE b.id = ANY({}::uuid[]) ORDER BY b.id", [row["id"] for row in rows]
        )
        return [Cancellation(record, previous[record.id]) for record in map(_record, records)]

    async def mark_refunded(self, booking_id: str) -> BookingRecord | None:
        """An expired or cancelled booking whose payment was given back (late, or after a cancel)."""
        rows = await Booking.raw(
            "UPDATE bookings SET status = 'REFUNDED', updated_at = now() "
            "WHERE id = {} AND status IN ('EXPIRED', 'CANCELLED') RETURNING id",
            UUID(booking_id),
        )
        return await self.get(booking_id) if rows else None

    async def overdue(self, *, show_id: str | None, limit: int) -> list[str]:
        """Ids of PENDING bookings whose hold has expired (locked, skipping those being handled)."""
        rows = await Booking.raw(
            "SELECT id::text AS id FROM bookings WHERE status = 'PENDING' AND hold_expires_at <= now() "
            "AND ({}::varchar IS NULL OR show_id = {}) "
            "ORDER BY hold_expires_at LIMIT {} FOR UPDATE SKIP LOCKED",
            show_id,
            show_id,
            limit,
        )
        return [row["id"] for row in rows]

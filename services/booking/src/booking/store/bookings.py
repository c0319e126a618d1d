"""Every query of bookings and their seats; the state machine's moves as guarded SQL built from its table.

The guards (`WHERE status IN (...) AND hold_expires_at > now() ...`) are what make the saga safe under
redelivery, races and late payments: the domain's table says which moves exist, PostgreSQL decides
which one actually happens when two race.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from booking.domain.errors import SeatsTaken
from booking.domain.lifecycle import EXPIRE, TRANSITIONS, BookingStatus, Transition
from booking.domain.model import BookingRecord, Moved, SeatCounts, ShowView
from booking.store.idempotency import encode_accepted
from booking.store.tables import Booking, BookingSeat
from tickethub.db import violates
from tickethub.outbox import OUTBOX_COLUMNS, OutboxValues

ACTIVE_SEAT_INDEX = "booking_seats_active_seat"

# Only the outbox lib's column list is interpolated; every value is a bind parameter.
_CREATE_PENDING = f"""
WITH booking AS (
    INSERT INTO bookings (id, user_id, user_email, user_name, show_id, status, amount, currency,
                          payment_token, hold_expires_at, created_at, updated_at)
    VALUES ({{}}, {{}}, {{}}, {{}}, {{}}, 'PENDING', {{}}, {{}}, {{}}, {{}}, {{}}, {{}})
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
SELECT b.id::text AS id, b.user_id, b.user_email, b.user_name, b.show_id, b.status, b.amount, b.currency,
    b.hold_expires_at, b.created_at, b.updated_at,
    ARRAY(SELECT s.seat_id FROM booking_seats s WHERE s.booking_id = b.id ORDER BY s.seat_id) AS seats
FROM bookings b
"""


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def _transition_sql(
    transition: Transition, chosen: str, *, order: str = "id", skip_locked: bool = False
) -> str:
    """One statement that makes `transition` for up to LIMIT bookings `chosen` selects, moving their seat
    rows with them; returns each moved booking's id and the status it left. Only this module's constants
    and the table's enum values are joined into it; every value is a bind parameter.

    The bookings are locked first: a row a concurrent step just changed is read again and left alone
    when it no longer passes the guards (FOR UPDATE re-checks them), or skipped while another
    transaction holds it (`skip_locked`, for sweeps that must not wait on a saga step).
    """
    guards = [chosen, f"status IN ({_quoted(transition.sources)})"]
    if transition.needs_live_hold:
        guards.append("hold_expires_at > now()")
    if transition.needs_expired_hold:
        guards.append("hold_expires_at <= now()")
    if transition.needs_show_not_cancelled:
        guards.append(
            "NOT EXISTS (SELECT 1 FROM shows WHERE shows.show_id = bookings.show_id "
            "AND shows.status = 'CANCELLED')"
        )
    seats = ""
    if transition.seats:
        cases = " ".join(f"WHEN '{before}' THEN '{after}'" for before, after in transition.seats.items())
        seats = f"""
, seats AS (
    UPDATE booking_seats s SET status = CASE s.status {cases} END FROM moved m
    WHERE s.booking_id = m.id AND s.status IN ({_quoted(transition.seats)})
)"""  # noqa: S608
    return f"""
WITH target AS (
    SELECT id, status FROM bookings WHERE {" AND ".join(guards)}
    ORDER BY {order} LIMIT {{}} FOR UPDATE{" SKIP LOCKED" if skip_locked else ""}
), moved AS (
    UPDATE bookings b SET status = '{transition.target}', updated_at = now() FROM target t
    WHERE b.id = t.id RETURNING b.id, t.status AS previous
){seats}
SELECT id, previous FROM moved
"""  # noqa: S608


# Each transition's statements by its name, built once at import.
_ONE_BOOKING = {transition.name: _transition_sql(transition, "id = {}") for transition in TRANSITIONS}
_SHOW_BOOKINGS = {transition.name: _transition_sql(transition, "show_id = {}") for transition in TRANSITIONS}
_EXPIRE_OVERDUE = _transition_sql(
    EXPIRE, "({}::varchar IS NULL OR show_id = {})", order="hold_expires_at", skip_locked=True
)

_BEFORE_EVERY_ID = UUID(int=0)


@dataclass(frozen=True, slots=True)
class EndedCursor:
    """Where a reader of ended bookings has got to: (updated_at, id), the order of the index."""

    ended_at: datetime
    booking_id: UUID = _BEFORE_EVERY_ID


def _record(row: dict[str, Any]) -> BookingRecord:
    return BookingRecord(
        id=str(row["id"]),
        user_id=row["user_id"],
        user_email=row["user_email"],
        user_name=row["user_name"],
        show_id=row["show_id"],
        status=BookingStatus(row["status"]),
        amount=row["amount"],
        currency=row["currency"],
        seats=tuple(row["seats"]),
        hold_expires_at=row["hold_expires_at"],
        created_at=row["created_at"],
    )


class BookingStore:
    # -- creating a booking -------------------------------------------------------------------

    async def create_pending(
        self,
        booking: BookingRecord,
        *,
        payment_token: str | None,
        idempotency_key: str | None,
        announcement: OutboxValues,
    ) -> None:
        """Booking PENDING + seats HELD + its announcement in the outbox, in one statement (atomic without
        a transaction of its own); with `idempotency_key` (claimed by this request), the accepted booking
        is stored under it in the same statement.

        Raises SeatsTaken when the partial unique index finds a seat already HELD or SOLD.
        """
        booking_id = UUID(booking.id)
        try:
            # One statement, so one round trip; the foreign key of the seats is checked at its end,
            # when the booking row exists.
            await Booking.raw(
                _CREATE_PENDING,
                booking_id,
                booking.user_id,
                booking.user_email,
                booking.user_name,
                booking.show_id,
                booking.amount,
                booking.currency,
                payment_token,
                booking.hold_expires_at,
                booking.created_at,
                booking.created_at,
                booking_id,
                booking.show_id,
                list(booking.seats),
                encode_accepted(booking) if idempotency_key else None,
                booking.user_id,
                idempotency_key,
                booking_id,
                *announcement,
            )
        except Exception as exc:
            if violates(exc, ACTIVE_SEAT_INDEX):
                raise SeatsTaken(await self.active_seats(booking.show_id, booking.seats)) from exc
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

    # -- the state machine's moves (inside the use case's transaction) ---------------------------

    async def move(self, transition: Transition, booking_id: str) -> Moved | None:
        """The booking after `transition`, or None when its guards refused it."""
        moved = await self._moved(await Booking.raw(_ONE_BOOKING[transition.name], UUID(booking_id), 1))
        return moved[0] if moved else None

    async def move_show_bookings(self, transition: Transition, show_id: str, *, limit: int) -> list[Moved]:
        """Up to `limit` bookings of the show after `transition`; an empty list once none is left."""
        return await self._moved(await Booking.raw(_SHOW_BOOKINGS[transition.name], show_id, limit))

    async def expire_overdue(self, *, show_id: str | None, limit: int) -> list[Moved]:
        """Up to `limit` bookings whose hold ran out (of one show, or of all) EXPIRED, skipping those a
        saga step is changing right now."""
        return await self._moved(await Booking.raw(_EXPIRE_OVERDUE, show_id, show_id, limit))

    async def _moved(self, rows: list[dict[str, Any]]) -> list[Moved]:
        if not rows:
            return []
        previous = {str(row["id"]): BookingStatus(row["previous"]) for row in rows}
        records = await Booking.raw(
            _SELECT_BOOKINGS + "WHERE b.id = ANY({}::uuid[]) ORDER BY b.id", [row["id"] for row in rows]
        )
        return [Moved(record, previous[record.id]) for record in map(_record, records)]

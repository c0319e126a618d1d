"""Shows, read with the names clients and the ShowPublished event need, and written as scheduled.

The exclusion constraint `shows_hall_not_double_booked` stays the final guard against two SCHEDULED
shows of one hall at once; the use cases lock the hall first, so it is not normally reached.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from catalog.domain.errors import ShowOverlaps
from catalog.domain.model import HallLocation, Movie, Page, Show, ShowStatus
from catalog.domain.pricing import format_price
from catalog.domain.schedule import ShowPlan, Slot
from catalog.store.tables import Show as ShowTable

NO_DOUBLE_BOOKED_HALL = "shows_hall_not_double_booked"

# A show with the names clients and the ShowPublished event need. Only constants are joined here;
# every value is a bound parameter ({} placeholders).
_SHOW_SELECT = """
    SELECT s.id::text AS id, s.movie_id::text AS movie_id, m.title AS movie_title,
           s.hall_id::text AS hall_id, h.name AS hall_name, t.id::text AS theatre_id,
           t.name AS theatre_name, t.city, s.starts_at, s.ends_at, s.prices::text AS prices,
           s.hold_seconds, s.status, s.seat_count, s.revision
    FROM shows s JOIN movies m ON m.id = s.movie_id JOIN halls h ON h.id = s.hall_id
    JOIN theatres t ON t.id = h.theatre_id
"""
_SHOW_FILTER = """
    WHERE ({}::text IS NULL OR lower(t.city) = lower({}::text))
      AND ({}::uuid IS NULL OR s.movie_id = {}::uuid)
      AND ({}::timestamptz IS NULL OR (s.starts_at >= {}::timestamptz AND s.starts_at < {}::timestamptz))
      AND s.status = {}
"""
_SHOW_BY_ID = _SHOW_SELECT + "WHERE s.id = {}"
_SHOW_BY_ID_LOCKED = _SHOW_BY_ID + " FOR UPDATE OF s"
_SHOWS_PAGE = _SHOW_SELECT + _SHOW_FILTER + "ORDER BY s.starts_at, s.id LIMIT {} OFFSET {}"
_SHOW_COUNT = """
    SELECT count(*) AS total
    FROM shows s JOIN halls h ON h.id = s.hall_id JOIN theatres t ON t.id = h.theatre_id
"""
_SHOWS_COUNT = _SHOW_COUNT + _SHOW_FILTER


@contextmanager
def _refusing_double_booking(hall_id: str) -> Iterator[None]:
    """The exclusion constraint as ShowOverlaps. Unreachable while the hall lock serialises scheduling;
    kept as the last line of defence (tickethub.db.violates() recognises unique violations only)."""
    try:
        yield
    except asyncpg.ExclusionViolationError as exc:
        if exc.constraint_name == NO_DOUBLE_BOOKED_HALL:
            raise ShowOverlaps(hall_id, None) from exc
        raise


def _show(row: dict[str, Any]) -> Show:
    return Show(
        id=row["id"],
        movie_id=row["movie_id"],
        movie_title=row["movie_title"],
        hall_id=row["hall_id"],
        hall_name=row["hall_name"],
        theatre_id=row["theatre_id"],
        theatre_name=row["theatre_name"],
        city=row["city"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        prices={category: Decimal(price) for category, price in json.loads(row["prices"]).items()},
        hold_seconds=row["hold_seconds"],
        status=ShowStatus(row["status"]),
        seat_count=row["seat_count"],
        revision=row["revision"],
    )


def _planned(plan: ShowPlan) -> tuple[object, ...]:
    """The planned columns in the order the insert and the update bind them: starts_at, ends_at,
    hall_released_at, hold_seconds, prices, seat_count."""
    slot = plan.slot
    return (
        slot.starts_at,
        slot.ends_at,
        slot.hall_released_at,
        plan.hold_seconds,
        _prices_json(plan.prices),
        plan.seat_count,
    )


def _prices_json(prices: dict[str, Decimal]) -> str:
    return json.dumps({category: format_price(amount) for category, amount in prices.items()})


class ShowStore:
    async def get(self, show_id: UUID) -> Show | None:
        rows = await ShowTable.raw(_SHOW_BY_ID, show_id)
        return _show(rows[0]) if rows else None

    async def get_locked(self, show_id: UUID) -> Show | None:
        """The show, its row locked until the transaction ends (changes of one show apply in turn)."""
        rows = await ShowTable.raw(_SHOW_BY_ID_LOCKED, show_id)
        return _show(rows[0]) if rows else None

    async def page(
        self,
        *,
        city: str | None,
        movie_id: UUID | None,
        starting: tuple[datetime, datetime] | None,
        status: ShowStatus,
        limit: int,
        offset: int,
    ) -> Page[Show]:
        """Shows that match every filter given, by start time; `starting` is a half-open interval."""
        day_start, day_end = starting or (None, None)
        args = (city, city, movie_id, movie_id, day_start, day_start, day_end, status.value)
        rows = await ShowTable.raw(_SHOWS_PAGE, *args, limit, offset)
        counted = await ShowTable.raw(_SHOWS_COUNT, *args)
        return Page([_show(row) for row in rows], total=counted[0]["total"], limit=limit, offset=offset)

    async def first_overlapping(self, hall_id: UUID, slot: Slot, *, besides: UUID) -> str | None:
        """Another SCHEDULED show of the hall in the slot (the show itself may move within its own)."""
        # The same half-open overlap as Slot.overlaps and the exclusion constraint.
        rows = await ShowTable.raw(
            """
            SELECT id::text AS id FROM shows
            WHERE hall_id = {} AND status = 'SCHEDULED' AND starts_at < {} AND hall_released_at > {}
              AND id <> {}
            ORDER BY starts_at LIMIT 1
            """,
            hall_id,
            slot.hall_released_at,
            slot.starts_at,
            besides,
        )
        return str(rows[0]["id"]) if rows else None

    async def not_ended_in_hall(self, hall_id: UUID, *, now: datetime, limit: int = 10) -> list[str]:
        """The SCHEDULED shows of the hall that have not ended: their seats are on sale."""
        rows = await ShowTable.raw(
            """
            SELECT id::text AS id FROM shows
            WHERE hall_id = {} AND status = 'SCHEDULED' AND ends_at > {}
            ORDER BY starts_at LIMIT {}
            """,
            hall_id,
            now,
            limit,
        )
        return [row["id"] for row in rows]

    async def insert(
        self, show_id: UUID, movie: Movie, location: HallLocation, plan: ShowPlan
    ) -> Show | None:
        """The new show, or None when a show of that id exists already (committed meanwhile)."""
        with _refusing_double_booking(location.hall.id):
            # ON CONFLICT names the key: a clash with the exclusion constraint must still raise.
            rows = await ShowTable.raw(
                """
                INSERT INTO shows (id, movie_id, hall_id, starts_at, ends_at, hall_released_at,
                                   hold_seconds, prices, seat_count, status, revision)
                VALUES ({}, {}, {}, {}, {}, {}, {}, {}::jsonb, {}, 'SCHEDULED', 1)
                ON CONFLICT (id) DO NOTHING
                RETURNING id
                """,
                show_id,
                UUID(movie.id),
                UUID(location.hall.id),
                *_planned(plan),
            )
        if not rows:
            return None
        return Show(
            id=str(show_id),
            movie_id=movie.id,
            movie_title=movie.title,
            hall_id=location.hall.id,
            hall_name=location.hall.name,
            theatre_id=location.theatre.id,
            theatre_name=location.theatre.name,
            city=location.theatre.city,
            starts_at=plan.slot.starts_at,
            ends_at=plan.slot.ends_at,
            prices=plan.prices,
            hold_seconds=plan.hold_seconds,
            status=ShowStatus.SCHEDULED,
            seat_count=plan.seat_count,
            revision=1,
        )

    async def reschedule(self, show: Show, plan: ShowPlan, *, now: datetime) -> Show:
        """The show as the plan has it, under its next revision."""
        with _refusing_double_booking(show.hall_id):
            await ShowTable.raw(
                """
                UPDATE shows SET starts_at = {}, ends_at = {}, hall_released_at = {}, hold_seconds = {},
                                 prices = {}::jsonb, seat_count = {}, revision = revision + 1,
                                 updated_at = {}
                WHERE id = {}
                """,
                *_planned(plan),
                now,
                UUID(show.id),
            )
        return replace(
            show,
            starts_at=plan.slot.starts_at,
            ends_at=plan.slot.ends_at,
            prices=plan.prices,
            hold_seconds=plan.hold_seconds,
            seat_count=plan.seat_count,
            revision=show.revision + 1,
        )

    async def mark_cancelled(self, show: Show, *, now: datetime) -> Show:
        """The show CANCELLED under its next revision (its hall slot is free again)."""
        await ShowTable.raw(
            "UPDATE shows SET status = 'CANCELLED', revision = revision + 1, updated_at = {} WHERE id = {}",
            now,
            UUID(show.id),
        )
        return replace(show, status=ShowStatus.CANCELLED, revision=show.revision + 1)

"""Every query of the catalog database, and the transactions that keep a show and its event together.

Scheduling is serialised per hall: creating or changing a show and replacing a layout all lock the
hall row first, so a layout cannot change under a show being scheduled and two shows of one hall are
checked one after the other. The exclusion constraint `shows_hall_not_double_booked` stays the final guard.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from catalog.domain.errors import (
    HallNameTaken,
    LayoutInUse,
    ShowOverlaps,
    UnknownHall,
    UnknownMovie,
    UnknownShow,
    UnknownTheatre,
)
from catalog.domain.model import (
    Hall,
    HallLocation,
    Movie,
    Page,
    Seat,
    SeatLayout,
    Show,
    ShowRequest,
    ShowStatus,
    Theatre,
)
from catalog.domain.pricing import format_price
from catalog.domain.schedule import (
    ShowPlan,
    Slot,
    changes_show,
    needs_cancelling,
    plan_show,
    refuse_unchangeable,
    utc_day,
)
from catalog.messaging.events import show_cancelled, show_published
from catalog.store.tables import Hall as HallTable
from catalog.store.tables import Movie as MovieTable
from catalog.store.tables import Seat as SeatTable
from catalog.store.tables import Show as ShowTable
from catalog.store.tables import Theatre as TheatreTable
from tickethub.contracts import SHOW_CANCELLED, SHOW_PUBLISHED
from tickethub.db import violates
from tickethub.outbox import add_to_outbox

HALL_NAME_UNIQUE = "halls_theatre_name"
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


class UpsertedShow(NamedTuple):
    """The show after an upsert, and whether the upsert created it."""

    show: Show
    created: bool


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


def as_uuid(text: str) -> UUID | None:
    """Ids are opaque to clients: one that is not even a UUID simply names nothing."""
    try:
        return UUID(text)
    except ValueError:
        return None


def _movie(row: dict[str, Any]) -> Movie:
    return Movie(
        id=str(row["id"]),
        title=row["title"],
        duration_minutes=row["duration_minutes"],
        language=row["language"],
        genre=row["genre"],
        description=row["description"],
    )


def _theatre(row: dict[str, Any]) -> Theatre:
    return Theatre(id=str(row["id"]), name=row["name"], city=row["city"], address=row["address"])


def _hall(row: dict[str, Any]) -> Hall:
    return Hall(id=str(row["id"]), theatre_id=str(row["theatre_id"]), name=row["name"])


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


class CatalogStore:
    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine

    # -- movies ---------------------------------------------------------------------------------

    async def add_movie(
        self,
        *,
        title: str,
        duration_minutes: int,
        language: str | None,
        genre: str | None,
        description: str | None,
        movie_id: UUID | None = None,
    ) -> Movie:
        """A new movie, under `movie_id` when given (fixed demo data) or a new id."""
        rows = await MovieTable.raw(
            """
            INSERT INTO movies (id, title, duration_minutes, language, genre, description)
            VALUES ({}, {}, {}, {}, {}, {})
            RETURNING id, title, duration_minutes, language, genre, description
            """,
            movie_id or uuid4(),
            title,
            duration_minutes,
            language,
            genre,
            description,
        )
        return _movie(rows[0])

    async def movie(self, movie_id: str) -> Movie:
        key = as_uuid(movie_id)
        row = key and await MovieTable.select().where(MovieTable.id == key).first()
        if not row:
            raise UnknownMovie(movie_id)
        return _movie(row)

    async def movies(self, *, limit: int, offset: int) -> Page[Movie]:
        rows = await (
            MovieTable.select().order_by(MovieTable.created_at, MovieTable.id).limit(limit).offset(offset)
        )
        total = await MovieTable.count()
        return Page([_movie(row) for row in rows], total=total, limit=limit, offset=offset)

    # -- theatres and halls ---------------------------------------------------------------------

    async def add_theatre(
        self, *, name: str, city: str, address: str | None, theatre_id: UUID | None = None
    ) -> Theatre:
        """A new theatre, under `theatre_id` when given (fixed demo data) or a new id."""
        rows = await TheatreTable.raw(
            """
            INSERT INTO theatres (id, name, city, address) VALUES ({}, {}, {}, {})
            RETURNING id, name, city, address
            """,
            theatre_id or uuid4(),
            name,
            city,
            address,
        )
        return _theatre(rows[0])

    async def theatre(self, theatre_id: str) -> Theatre:
        key = as_uuid(theatre_id)
        row = key and await TheatreTable.select().where(TheatreTable.id == key).first()
        if not row:
            raise UnknownTheatre(theatre_id)
        return _theatre(row)

    async def theatres(self, *, limit: int, offset: int) -> Page[Theatre]:
        rows = await (
            TheatreTable.select()
            .order_by(TheatreTable.created_at, TheatreTable.id)
            .limit(limit)
            .offset(offset)
        )
        total = await TheatreTable.count()
        return Page([_theatre(row) for row in rows], total=total, limit=limit, offset=offset)

    async def add_hall(self, theatre_id: str, *, name: str, hall_id: UUID | None = None) -> Hall:
        """A new hall of the theatre, under `hall_id` when given (fixed demo data) or a new id."""
        theatre = await self.theatre(theatre_id)
        try:
            rows = await HallTable.raw(
                "INSERT INTO halls (id, theatre_id, name) VALUES ({}, {}, {}) RETURNING id, theatre_id, name",
                hall_id or uuid4(),
                UUID(theatre.id),
                name,
            )
        except asyncpg.UniqueViolationError as exc:
            if violates(exc, HALL_NAME_UNIQUE):
                raise HallNameTaken(theatre.id, name) from exc
            raise
        return _hall(rows[0])

    async def halls(self, theatre_id: str, *, limit: int, offset: int) -> Page[Hall]:
        theatre = await self.theatre(theatre_id)
        key = UUID(theatre.id)
        rows = await HallTable.raw(
            """
            SELECT id, theatre_id, name FROM halls WHERE theatre_id = {}
            ORDER BY name, id LIMIT {} OFFSET {}
            """,
            key,
            limit,
            offset,
        )
        total = await HallTable.count().where(HallTable.theatre == key)
        items = [_hall(row) for row in rows]
        return Page(items, total=total, limit=limit, offset=offset)

    # -- seat layouts ---------------------------------------------------------------------------

    async def layout(self, hall_id: str) -> SeatLayout:
        key = as_uuid(hall_id)
        if key is None or not await HallTable.exists().where(HallTable.id == key):
            raise UnknownHall(hall_id)
        return await self._layout(key)

    async def replace_layout(self, layout: SeatLayout, *, now: datetime) -> SeatLayout:
        """Refused while a scheduled show of the hall has not ended: its seats are on sale."""
        key = as_uuid(layout.hall_id)
        async with self.engine.transaction():
            if key is None or await self._lock_hall(key) is None:
                raise UnknownHall(layout.hall_id)
            blocking = await ShowTable.raw(
                """
                SELECT id::text AS id FROM shows
                WHERE hall_id = {} AND status = 'SCHEDULED' AND ends_at > {}
                ORDER BY starts_at LIMIT 10
                """,
                key,
                now,
            )
            if blocking:
                raise LayoutInUse(layout.hall_id, [row["id"] for row in blocking])
            await SeatTable.raw("DELETE FROM seats WHERE hall_id = {}", key)
            await SeatTable.raw(
                """
                INSERT INTO seats (hall_id, seat_id, row_index, row_name, number, category)
                SELECT {}, * FROM unnest({}::text[], {}::smallint[], {}::text[], {}::smallint[], {}::text[])
                """,
                key,
                [seat.seat_id for seat in layout.seats],
                _row_indexes(layout.seats),
                [seat.row for seat in layout.seats],
                [seat.number for seat in layout.seats],
                [seat.category for seat in layout.seats],
            )
        return layout

    async def _layout(self, hall_key: UUID) -> SeatLayout:
        rows = await SeatTable.raw(
            """
            SELECT seat_id, row_name, number, category FROM seats
            WHERE hall_id = {} ORDER BY row_index, number
            """,
            hall_key,
        )
        seats = tuple(
            Seat(seat_id=row["seat_id"], row=row["row_name"], number=row["number"], category=row["category"])
            for row in rows
        )
        return SeatLayout(hall_id=str(hall_key), seats=seats)

    async def _lock_hall(self, hall_key: UUID) -> HallLocation | None:
        """Locks the hall row until the transaction ends (scheduling on one hall is serialised)."""
        rows = await HallTable.raw(
            """
            SELECT h.id, h.theatre_id, h.name, t.name AS theatre_name, t.city, t.address
            FROM halls h JOIN theatres t ON t.id = h.theatre_id
            WHERE h.id = {}
            FOR NO KEY UPDATE OF h
            """,
            hall_key,
        )
        if not rows:
            return None
        row = rows[0]
        theatre = Theatre(
            id=str(row["theatre_id"]), name=row["theatre_name"], city=row["city"], address=row["address"]
        )
        return HallLocation(hall=_hall(row), theatre=theatre)

    # -- shows ----------------------------------------------------------------------------------

    async def create_show(self, request: ShowRequest, *, now: datetime) -> Show:
        """A show under a new id (an upsert that always creates)."""
        return (await self.upsert_show(str(uuid4()), request, now=now)).show

    async def upsert_show(self, show_id: str, request: ShowRequest, *, now: datetime) -> UpsertedShow:
        """Creates the show under the caller's id, or brings it to what the request says; a new or
        changed show is stored with its ShowPublished event in one transaction, an unchanged one
        publishes nothing.

        The hall is locked first, as for every scheduling, then the show row, so upserts of one show
        apply one after the other. Two that race to create it while naming different halls meet at the
        primary key: the later insert waits for the first to commit, then that show is updated instead.
        """
        show_key = as_uuid(show_id)
        hall_key = as_uuid(request.hall_id)
        if show_key is None:
            raise UnknownShow(show_id)
        async with self.engine.transaction():
            movie = await self.movie(request.movie_id)
            location = await self._lock_hall(hall_key) if hall_key else None
            if hall_key is None or location is None:
                raise UnknownHall(request.hall_id)
            layout = await self._layout(hall_key)
            while (current := await self._locked_show(show_key)) is None:
                plan = plan_show(request, movie, layout, now)
                await self._refuse_overlap(hall_key, plan.slot, show_key)
                if created := await self._insert_show(show_key, movie, location, plan):
                    await add_to_outbox(SHOW_PUBLISHED, created.id, show_published(created, layout))
                    return UpsertedShow(created, created=True)
                # A racing upsert created it first (this insert waited for its commit): lock that one.
            refuse_unchangeable(current, movie_id=movie.id, hall_id=location.hall.id, now=now)
            plan = plan_show(request, movie, layout, now)
            if not changes_show(plan, current):
                return UpsertedShow(current, created=False)
            await self._refuse_overlap(hall_key, plan.slot, show_key)
            with _refusing_double_booking(location.hall.id):
                await ShowTable.raw(
                    """
                    UPDATE shows SET starts_at = {}, ends_at = {}, hall_released_at = {}, hold_seconds = {},
                                     prices = {}::jsonb, seat_count = {}, revision = revision + 1,
                                     updated_at = {}
                    WHERE id = {}
                    """,
                    plan.slot.starts_at,
                    plan.slot.ends_at,
                    plan.slot.hall_released_at,
                    plan.hold_seconds,
                    _prices_json(plan.prices),
                    plan.seat_count,
                    now,
                    show_key,
                )
            updated = replace(
                current,
                starts_at=plan.slot.starts_at,
                ends_at=plan.slot.ends_at,
                prices=plan.prices,
                hold_seconds=plan.hold_seconds,
                seat_count=plan.seat_count,
                revision=current.revision + 1,
            )
            await add_to_outbox(SHOW_PUBLISHED, updated.id, show_published(updated, layout))
        return UpsertedShow(updated, created=False)

    async def _locked_show(self, show_key: UUID) -> Show | None:
        rows = await ShowTable.raw(_SHOW_BY_ID_LOCKED, show_key)
        return _show(rows[0]) if rows else None

    async def _insert_show(
        self, show_key: UUID, movie: Movie, location: HallLocation, plan: ShowPlan
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
                show_key,
                UUID(movie.id),
                UUID(location.hall.id),
                plan.slot.starts_at,
                plan.slot.ends_at,
                plan.slot.hall_released_at,
                plan.hold_seconds,
                _prices_json(plan.prices),
                plan.seat_count,
            )
        if not rows:
            return None
        return Show(
            id=str(show_key),
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

    async def _refuse_overlap(self, hall_key: UUID, slot: Slot, show_key: UUID) -> None:
        """Another SCHEDULED show of the hall in the slot (the show itself may move within its own)."""
        # The same half-open overlap as Slot.overlaps and the exclusion constraint.
        rows = await ShowTable.raw(
            """
            SELECT id::text AS id FROM shows
            WHERE hall_id = {} AND status = 'SCHEDULED' AND starts_at < {} AND hall_released_at > {}
              AND id <> {}
            ORDER BY starts_at LIMIT 1
            """,
            hall_key,
            slot.hall_released_at,
            slot.starts_at,
            show_key,
        )
        if rows:
            raise ShowOverlaps(str(hall_key), rows[0]["id"])

    async def show(self, show_id: str) -> Show:
        key = as_uuid(show_id)
        rows = key and await ShowTable.raw(_SHOW_BY_ID, key)
        if not rows:
            raise UnknownShow(show_id)
        return _show(rows[0])

    async def cancel_show(self, show_id: str, *, reason: str | None, now: datetime) -> Show:
        """SCHEDULED -> CANCELLED with ShowPublished and ShowCancelled in one transaction.

        The show row is locked first, so two cancels of one show are one change and one pair of events;
        a show that is cancelled already is returned as it is.
        """
        key = as_uuid(show_id)
        async with self.engine.transaction():
            rows = key and await ShowTable.raw(_SHOW_BY_ID_LOCKED, key)
            if not rows:
                raise UnknownShow(show_id)
            show = _show(rows[0])
            if not needs_cancelling(show, now):
                return show
            await ShowTable.raw(
                "UPDATE shows SET status = 'CANCELLED', revision = revision + 1, updated_at = {} "
                "WHERE id = {}",
                now,
                key,
            )
            cancelled = replace(show, status=ShowStatus.CANCELLED, revision=show.revision + 1)
            layout = await self._layout(UUID(show.hall_id))
            await add_to_outbox(SHOW_PUBLISHED, show.id, show_published(cancelled, layout))
            await add_to_outbox(SHOW_CANCELLED, show.id, show_cancelled(cancelled, reason))
        return cancelled

    async def shows(
        self,
        *,
        city: str | None,
        movie_id: UUID | None,
        day: date | None,
        status: ShowStatus,
        limit: int,
        offset: int,
    ) -> Page[Show]:
        day_start, day_end = utc_day(day) if day else (None, None)
        args = (city, city, movie_id, movie_id, day_start, day_start, day_end, status.value)
        rows = await ShowTable.raw(_SHOWS_PAGE, *args, limit, offset)
        counted = await ShowTable.raw(_SHOWS_COUNT, *args)
        return Page([_show(row) for row in rows], total=counted[0]["total"], limit=limit, offset=offset)


def _prices_json(prices: dict[str, Decimal]) -> str:
    return json.dumps({category: format_price(amount) for category, amount in prices.items()})


def _row_indexes(seats: Sequence[Seat]) -> list[int]:
    """The position of each seat's row in the layout, so seats list in the order the admin gave."""
    positions: dict[str, int] = {}
    return [positions.setdefault(seat.row, len(positions)) for seat in seats]

"""Booking's read model of shows, fed by catalog's ShowPublished and ShowCancelled events."""

import json
import time
from decimal import Decimal

from booking.domain.model import ShowView
from booking.store.tables import ShowReadModel
from tickethub.contracts import ShowPublished


class ShowStore:
    def __init__(self, *, cache_seconds: float) -> None:
        self._cache: dict[str, tuple[float, ShowView]] = {}
        self._cache_seconds = cache_seconds

    async def save(self, event: ShowPublished) -> bool:
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
        self._cache.pop(event.show_id, None)
        return bool(rows)

    async def mark_cancelled(self, show_id: str, revision: int) -> None:
        """The read model learns of the cancellation at once, whichever of ShowCancelled and the
        ShowPublished of the same revision arrives first (both say CANCELLED)."""
        await ShowReadModel.raw(
            "UPDATE shows SET status = 'CANCELLED', revision = greatest(revision, {}), updated_at = now() "
            "WHERE show_id = {}",
            revision,
            show_id,
        )
        self._cache.pop(show_id, None)

    async def is_cancelled(self, show_id: str) -> bool:
        """Read past the cache: the saga must not act on a cancellation it has not seen yet."""
        return await ShowReadModel.exists().where(
            (ShowReadModel.show_id == show_id) & (ShowReadModel.status == "CANCELLED")
        )

    async def load(self, show_id: str) -> ShowView | None:
        """The show as booking sees it; cached briefly because a 10,000-seat map is not small."""
        cached = self._cache.get(show_id)
        if cached and time.monotonic() - cached[0] < self._cache_seconds:
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
        self._cache[show_id] = (time.monotonic(), show)
        return show

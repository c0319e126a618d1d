"""Theatres: where halls are, and the city shows are found by."""

from typing import Any
from uuid import UUID

from catalog.domain.model import Page, Theatre
from catalog.store.tables import Theatre as TheatreTable


def _theatre(row: dict[str, Any]) -> Theatre:
    return Theatre(id=str(row["id"]), name=row["name"], city=row["city"], address=row["address"])


class TheatreStore:
    async def add(self, theatre: Theatre) -> None:
        await TheatreTable.raw(
            "INSERT INTO theatres (id, name, city, address) VALUES ({}, {}, {}, {})",
            UUID(theatre.id),
            theatre.name,
            theatre.city,
            theatre.address,
        )

    async def get(self, theatre_id: UUID) -> Theatre | None:
        row = await TheatreTable.select().where(TheatreTable.id == theatre_id).first()
        return _theatre(row) if row else None

    async def page(self, *, limit: int, offset: int) -> Page[Theatre]:
        rows = await (
            TheatreTable.select()
            .order_by(TheatreTable.created_at, TheatreTable.id)
            .limit(limit)
            .offset(offset)
        )
        total = await TheatreTable.count()
        return Page([_theatre(row) for row in rows], total=total, limit=limit, offset=offset)

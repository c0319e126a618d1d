"""Halls of a theatre, and the hall lock that serialises everything scheduled in one hall."""

from typing import Any
from uuid import UUID

import asyncpg

from catalog.domain.errors import HallNameTaken
from catalog.domain.model import Hall, HallLocation, Page, Theatre
from catalog.store.tables import Hall as HallTable
from tickethub.db import violates

HALL_NAME_UNIQUE = "halls_theatre_name"


def _hall(row: dict[str, Any]) -> Hall:
    return Hall(id=str(row["id"]), theatre_id=str(row["theatre_id"]), name=row["name"])


class HallStore:
    async def add(self, hall: Hall) -> None:
        """Raises HallNameTaken when the theatre has a hall of that name already."""
        try:
            await HallTable.raw(
                "INSERT INTO halls (id, theatre_id, name) VALUES ({}, {}, {})",
                UUID(hall.id),
                UUID(hall.theatre_id),
                hall.name,
            )
        except asyncpg.UniqueViolationError as exc:
            if violates(exc, HALL_NAME_UNIQUE):
                raise HallNameTaken(hall.theatre_id, hall.name) from exc
            raise

    async def exists(self, hall_id: UUID) -> bool:
        return await HallTable.exists().where(HallTable.id == hall_id)

    async def page_of_theatre(self, theatre_id: UUID, *, limit: int, offset: int) -> Page[Hall]:
        rows = await HallTable.raw(
            """
            SELECT id, theatre_id, name FROM halls WHERE theatre_id = {}
            ORDER BY name, id LIMIT {} OFFSET {}
            """,
            theatre_id,
            limit,
            offset,
        )
        total = await HallTable.count().where(HallTable.theatre == theatre_id)
        items = [_hall(row) for row in rows]
        return Page(items, total=total, limit=limit, offset=offset)

    async def lock(self, hall_id: UUID) -> HallLocation | None:
        """Locks the hall row until the transaction ends (scheduling on one hall is serialised)."""
        rows = await HallTable.raw(
            """
            SELECT h.id, h.theatre_id, h.name, t.name AS theatre_name, t.city, t.address
            FROM halls h JOIN theatres t ON t.id = h.theatre_id
            WHERE h.id = {}
            FOR NO KEY UPDATE OF h
            """,
            hall_id,
        )
        if not rows:
            return None
        row = rows[0]
        theatre = Theatre(
            id=str(row["theatre_id"]), name=row["theatre_name"], city=row["city"], address=row["address"]
        )
        return HallLocation(hall=_hall(row), theatre=theatre)

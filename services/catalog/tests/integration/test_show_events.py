"""Every scheduled show is announced as ShowPublished through the outbox, atomically with the show."""

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from catalog.domain.model import ShowRequest
from catalog.service import scheduling
from catalog.service.context import CatalogContext
from catalog.settings import Settings
from tickethub.contracts import SHOW_PUBLISHED, ShowPublished
from tickethub.outbox import OutboxMessage

pytestmark = pytest.mark.integration


async def create_and_roll_back(
    context: CatalogContext, rolled_back: Any, request: ShowRequest
) -> tuple[Any, list[dict[str, Any]]]:
    """Creates the show in a transaction that is then rolled back, returning its outbox rows.

    Nothing is committed, so the running relay cannot publish (and delete) the row before we read it.
    """
    show = await scheduling.schedule_show(replace(context, uow=rolled_back), request)
    return show, [row for row in rolled_back.outbox if row["message_key"] == show.id]


def expected_seats() -> list[dict[str, str]]:
    return [{"seat_id": f"A{n}", "category": "STANDARD"} for n in range(1, 13)] + [
        {"seat_id": f"B{n}", "category": "VIP"} for n in range(1, 5)
    ]


async def test_creating_a_show_writes_one_outbox_row_in_the_same_transaction(
    catalog: Any, context: CatalogContext, rolled_back: Any, starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    request = ShowRequest(
        movie_id=movie["id"],
        hall_id=hall["id"],
        starts_at=starts_at,
        prices={"STANDARD": "250.00", "VIP": "400.00"},
        hold_seconds=300,
    )
    show, rows = await create_and_roll_back(context, rolled_back, request)

    assert len(rows) == 1
    row = rows[0]
    assert row["topic"] == SHOW_PUBLISHED.name == "catalog.show-published.v1"
    event = ShowPublished.model_validate_json(row["payload"])
    assert event.show_id == show.id
    assert event.revision == 1
    assert event.status == "SCHEDULED"
    assert (event.movie_id, event.movie_title) == (movie["id"], movie["title"])
    assert (event.theatre_id, event.theatre_name, event.city) == (
        hall["theatre"]["id"],
        hall["theatre"]["name"],
        hall["theatre"]["city"],
    )
    assert (event.hall_id, event.hall_name) == (hall["id"], hall["name"])
    assert event.starts_at == starts_at
    assert event.hold_seconds == 300
    assert event.prices == {"STANDARD": Decimal("250.00"), "VIP": Decimal("400.00")}
    assert [seat.model_dump() for seat in event.seats] == expected_seats()
    headers = row["headers"] if isinstance(row["headers"], dict) else json.loads(row["headers"])
    assert headers["event-type"] == "ShowPublished"
    assert headers["event-id"] == str(event.event_id)
    # Rolled back together: neither the show nor its event exists.
    assert (await catalog.client.get(f"/shows/{show.id}")).status_code == 404
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show.id)


async def test_a_failed_create_writes_no_event(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    await catalog.show(movie, hall, starts_at)
    outbox_before = await OutboxMessage.count()

    response = await client.post("/shows", json=catalog.show_body(movie, hall, starts_at), headers=admin)

    assert response.status_code == 409
    assert await OutboxMessage.count() <= outbox_before  # the relay only ever removes rows


async def test_the_relay_publishes_the_event_to_kafka(
    catalog: Any, settings: Settings, starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    consumer = AIOKafkaConsumer(
        SHOW_PUBLISHED.name,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id="catalog-test-" + uuid.uuid4().hex,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        show = await catalog.show(movie, hall, starts_at)
        received = await _messages_keyed(consumer, show["id"], settle_seconds=1.0, deadline_seconds=30.0)
    finally:
        await consumer.stop()

    assert len(received) == 1
    message = received[0]
    event = ShowPublished.model_validate_json(message.value)
    assert event.show_id == show["id"]
    assert event.city == hall["theatre"]["city"]
    assert len(event.seats) == 16
    assert dict(message.headers)["event-type"] == b"ShowPublished"


async def _messages_keyed(
    consumer: AIOKafkaConsumer, key: str, *, settle_seconds: float, deadline_seconds: float
) -> list[Any]:
    """Every message with `key`, waiting until one arrives and then a little more for duplicates."""
    found: list[Any] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_seconds
    while loop.time() < deadline:
        batches = await consumer.getmany(timeout_ms=200)
        found += [m for batch in batches.values() for m in batch if m.key == key.encode()]
        if found:
            deadline = min(deadline, loop.time() + settle_seconds)
    return found


async def test_the_database_refuses_overlapping_shows_on_its_own(
    catalog: Any, settings: Settings, starts_at: datetime
) -> None:
    """The exclusion constraint holds even for a writer that skips the application's checks."""
    movie, hall = await catalog.movie(), await catalog.hall()
    await catalog.show(movie, hall, starts_at)
    connection = await asyncpg.connect(settings.database_url)
    try:
        with pytest.raises(asyncpg.ExclusionViolationError) as caught:
            await connection.execute(
                """
                INSERT INTO shows (movie_id, hall_id, starts_at, ends_at, hall_released_at, hold_seconds,
                                   prices, seat_count, status)
                VALUES ($1, $2, $3::timestamptz + interval '1 hour', $3::timestamptz + interval '3 hours',
                        $3::timestamptz + interval '4 hours',
                        600, '{"STANDARD": "1.00"}', 16, 'SCHEDULED')
                """,
                uuid.UUID(movie["id"]),
                uuid.UUID(hall["id"]),
                starts_at,
            )
        assert caught.value.constraint_name == "shows_hall_not_double_booked"
    finally:
        await connection.close()

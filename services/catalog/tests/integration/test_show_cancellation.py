"""POST /shows/{id}/cancel: who may cancel, what a cancelled show gives back, and the events it sends."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from catalog.service import cancelling, reading
from catalog.service.context import CatalogContext
from catalog.settings import Settings
from tickethub.contracts import SHOW_CANCELLED, SHOW_PUBLISHED, ShowCancelled, ShowPublished
from tickethub.outbox import OutboxMessage
from tickethub.testing import KafkaProbe, outbox_drained

pytestmark = pytest.mark.integration


@pytest.fixture
async def show(catalog: Any, starts_at: datetime) -> dict[str, Any]:
    created: dict[str, Any] = await catalog.show(await catalog.movie(), await catalog.hall(), starts_at)
    return created


async def cancel(
    client: httpx.AsyncClient, show_id: str, headers: dict[str, str], body: Any = None
) -> httpx.Response:
    return await client.post(f"/shows/{show_id}/cancel", json=body, headers=headers)


async def events_of(settings: Settings, show_id: str) -> tuple[list[Any], list[Any]]:
    """Every ShowPublished and ShowCancelled of the show that is on Kafka."""
    async with KafkaProbe(settings.kafka_bootstrap_servers, group="unused") as kafka:
        return await kafka.read(SHOW_PUBLISHED, show_id), await kafka.read(SHOW_CANCELLED, show_id)


async def test_an_admin_cancels_a_show_and_both_events_reach_kafka(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    show: dict[str, Any],
) -> None:
    response = await cancel(client, show["id"], admin, {"reason": "  Projector broken  "})

    assert response.status_code == 202, response.text
    assert response.json() == show | {"status": "CANCELLED", "revision": 2}
    assert (await client.get(f"/shows/{show['id']}")).json()["status"] == "CANCELLED"
    await outbox_drained(db)
    published, cancelled = await events_of(settings, show["id"])
    assert [(event.revision, event.status) for event in published] == [(1, "SCHEDULED"), (2, "CANCELLED")]
    assert isinstance(published[1], ShowPublished) and len(published[1].seats) == 16
    assert [(event.show_id, event.revision, event.reason) for event in cancelled] == [
        (show["id"], 2, "Projector broken")
    ]


async def test_the_body_is_optional(
    client: httpx.AsyncClient, admin: dict[str, str], db: asyncpg.Connection, settings: Settings, show: Any
) -> None:
    response = await client.post(f"/shows/{show['id']}/cancel", headers=admin)

    assert response.status_code == 202, response.text
    await outbox_drained(db)
    _, cancelled = await events_of(settings, show["id"])
    assert [event.reason for event in cancelled] == [None]


async def test_cancelling_again_answers_the_same_show_and_publishes_nothing_new(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    show: dict[str, Any],
) -> None:
    first = await cancel(client, show["id"], admin)
    await outbox_drained(db)

    again = await cancel(client, show["id"], admin, {"reason": "again"})

    assert again.status_code == 202
    assert again.json() == first.json()
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show["id"])
    published, cancelled = await events_of(settings, show["id"])
    assert (len(published), len(cancelled)) == (2, 1)


async def test_the_show_row_and_both_events_are_written_in_one_transaction(
    context: CatalogContext, rolled_back: Any, db: asyncpg.Connection, show: Any
) -> None:
    await outbox_drained(db)  # the show's own ShowPublished is on its way already

    await cancelling.cancel_show(replace(context, uow=rolled_back), show["id"], reason=None)
    captured = [row for row in rolled_back.outbox if row["message_key"] == show["id"]]

    assert [row["topic"] for row in captured] == [SHOW_PUBLISHED.name, SHOW_CANCELLED.name]
    assert ShowCancelled.model_validate_json(captured[1]["payload"]).revision == 2
    still = await reading.show(context, show["id"])  # rolled back together
    assert (still.status, still.revision) == ("SCHEDULED", 1)


async def test_a_show_that_has_started_cannot_be_cancelled(
    client: httpx.AsyncClient, admin: dict[str, str], db: asyncpg.Connection, show: dict[str, Any]
) -> None:
    await outbox_drained(db)  # the show's own ShowPublished is gone, so any row below would be new
    await db.execute(
        "UPDATE shows SET starts_at = starts_at - $2::interval, ends_at = ends_at - $2::interval, "
        "hall_released_at = hall_released_at - $2::interval WHERE id = $1",
        uuid.UUID(show["id"]),
        datetime.fromisoformat(show["startsAt"]) - datetime.now(UTC) + timedelta(minutes=1),
    )

    response = await cancel(client, show["id"], admin)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:tickethub:problem:show-already-started"
    after = (await client.get(f"/shows/{show['id']}")).json()
    assert (after["status"], after["revision"]) == ("SCHEDULED", 1)
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show["id"])


@pytest.mark.parametrize("show_id", [str(uuid.uuid4()), "garbage"])
async def test_an_unknown_show_is_404(client: httpx.AsyncClient, admin: dict[str, str], show_id: str) -> None:
    response = await cancel(client, show_id, admin)

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-show"


async def test_without_a_token_it_is_401_and_with_a_user_token_403_and_nothing_changes(
    client: httpx.AsyncClient, issuer: Any, show: dict[str, Any]
) -> None:
    anonymous = await client.post(f"/shows/{show['id']}/cancel")
    user = await cancel(client, show["id"], issuer.headers("USER"))

    assert anonymous.status_code == 401
    assert user.status_code == 403
    assert (await client.get(f"/shows/{show['id']}")).json()["status"] == "SCHEDULED"


async def test_a_reason_longer_than_500_characters_is_422_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], show: dict[str, Any]
) -> None:
    response = await cancel(client, show["id"], admin, {"reason": "x" * 501})

    assert response.status_code == 422
    assert "reason" in {error["field"] for error in response.json()["errors"]}
    assert (await client.get(f"/shows/{show['id']}")).json()["status"] == "SCHEDULED"


async def test_a_cancelled_show_frees_its_hall_and_leaves_the_default_listing(
    catalog: Any, client: httpx.AsyncClient, admin: dict[str, str], starts_at: datetime
) -> None:
    movie, hall = await catalog.movie(), await catalog.hall()
    cancelled = await catalog.show(movie, hall, starts_at)
    assert (await cancel(client, cancelled["id"], admin)).status_code == 202

    replacement = await catalog.show(movie, hall, starts_at)  # the same slot of the same hall
    layout = await client.put(
        f"/halls/{hall['id']}/seats",
        json={"rows": [{"name": "A", "count": 3, "category": "STANDARD"}]},
        headers=admin,
    )

    assert layout.status_code == 409  # only the scheduled replacement blocks the layout now
    assert layout.json()["showIds"] == [replacement["id"]]
    city = hall["theatre"]["city"]
    listed = (await client.get("/shows", params={"city": city})).json()
    listed_cancelled = (await client.get("/shows", params={"city": city, "status": "CANCELLED"})).json()
    assert ([s["id"] for s in listed["items"]], listed["total"]) == ([replacement["id"]], 1)
    assert ([s["id"] for s in listed_cancelled["items"]], listed_cancelled["total"]) == ([cancelled["id"]], 1)
    assert (await client.get("/shows", params={"status": "GONE"})).status_code == 422

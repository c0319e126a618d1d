"""PUT /shows/{showId}: a show under an id the caller chose, created once and then kept as the body says.

The Kubernetes operator calls it with a Show resource's uid on every reconciliation, so repeating it
must change and publish nothing, and racing calls must still make one show.
"""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from catalog.settings import Settings
from tickethub.contracts import SHOW_PUBLISHED, ShowPublished
from tickethub.outbox import OutboxMessage
from tickethub.testing import KafkaProbe, TokenIssuer, eventually, outbox_drained

pytestmark = pytest.mark.integration


async def upsert(
    client: httpx.AsyncClient, show_id: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await client.put(f"/shows/{show_id}", json=body, headers=headers)


async def published(settings: Settings, show_id: str) -> list[ShowPublished]:
    """Every ShowPublished of the show that is on Kafka, once the outbox has handed everything over."""
    async with KafkaProbe(settings.kafka_bootstrap_servers, group="unused") as kafka:
        events = await kafka.read(SHOW_PUBLISHED, show_id)
    return [event for event in events if isinstance(event, ShowPublished)]


@pytest.fixture
async def venue(catalog: Any) -> dict[str, Any]:
    """A movie and a hall with seats, for the show each test puts."""
    return {"movie": await catalog.movie(), "hall": await catalog.hall()}


@pytest.fixture
def body(catalog: Any, venue: dict[str, Any], starts_at: datetime) -> dict[str, Any]:
    body: dict[str, Any] = catalog.show_body(venue["movie"], venue["hall"], starts_at, holdSeconds=300)
    return body


@pytest.fixture
def service(issuer: TokenIssuer) -> dict[str, str]:
    return issuer.headers("SERVICE", subject="show-operator")


async def test_the_first_put_creates_the_show_under_the_given_id_and_publishes_it(
    client: httpx.AsyncClient,
    service: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    venue: dict[str, Any],
    body: dict[str, Any],
    starts_at: datetime,
) -> None:
    show_id = str(uuid.uuid4())

    response = await upsert(client, show_id, body, service)

    assert response.status_code == 201, response.text
    show = response.json()
    assert (show["id"], show["revision"], show["status"]) == (show_id, 1, "SCHEDULED")
    assert (show["movieId"], show["hallId"], show["holdSeconds"]) == (
        venue["movie"]["id"],
        venue["hall"]["id"],
        300,
    )
    assert datetime.fromisoformat(show["startsAt"]) == starts_at
    assert (await client.get(f"/shows/{show_id}")).json() == show
    await outbox_drained(db)
    events = await published(settings, show_id)
    assert [(event.revision, event.starts_at, len(event.seats)) for event in events] == [(1, starts_at, 16)]


async def test_repeating_the_put_answers_200_with_the_same_show_and_publishes_nothing(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    service: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    body: dict[str, Any],
) -> None:
    show_id = str(uuid.uuid4())
    first = await upsert(client, show_id, body, admin)
    await outbox_drained(db)

    again = await upsert(client, show_id, body, service)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show_id)
    assert [event.revision for event in await published(settings, show_id)] == [1]


async def test_a_changed_put_updates_the_show_bumps_its_revision_and_publishes_it(
    client: httpx.AsyncClient,
    service: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    body: dict[str, Any],
    starts_at: datetime,
) -> None:
    show_id = str(uuid.uuid4())
    created = (await upsert(client, show_id, body, service)).json()
    later = starts_at + timedelta(days=1, hours=2)
    changed = {k: v for k, v in body.items() if k != "holdSeconds"} | {
        "startsAt": later.isoformat(),
        "prices": {"STANDARD": "260", "VIP": "400.00"},
    }

    response = await upsert(client, show_id, changed, service)

    assert response.status_code == 200, response.text
    show = response.json()
    assert show == created | {
        "startsAt": show["startsAt"],
        "endsAt": show["endsAt"],
        "prices": {"STANDARD": "260.00", "VIP": "400.00"},
        "holdSeconds": 600,  # left out: the default again, as the body now says
        "revision": 2,
    }
    assert datetime.fromisoformat(show["startsAt"]) == later
    assert datetime.fromisoformat(show["endsAt"]) - datetime.fromisoformat(created["endsAt"]) == (
        later - starts_at
    )
    assert (await client.get(f"/shows/{show_id}")).json() == show
    await outbox_drained(db)
    events = await published(settings, show_id)
    assert [(event.revision, event.starts_at, event.hold_seconds) for event in events] == [
        (1, starts_at, 300),
        (2, later, 600),
    ]
    assert str(events[1].prices["STANDARD"]) == "260.00"


async def test_a_show_may_move_within_its_own_slot_but_not_onto_another_show(
    catalog: Any,
    client: httpx.AsyncClient,
    service: dict[str, str],
    venue: dict[str, Any],
    body: dict[str, Any],
    starts_at: datetime,
) -> None:
    show_id = str(uuid.uuid4())
    assert (await upsert(client, show_id, body, service)).status_code == 201
    next_day = await catalog.show(venue["movie"], venue["hall"], starts_at + timedelta(days=1))

    nudged = await upsert(
        client, show_id, body | {"startsAt": (starts_at + timedelta(minutes=30)).isoformat()}, service
    )
    onto_other = await upsert(
        client, show_id, body | {"startsAt": (starts_at + timedelta(days=1, hours=1)).isoformat()}, service
    )

    assert nudged.status_code == 200, nudged.text
    assert nudged.json()["revision"] == 2
    assert onto_other.status_code == 409
    problem = onto_other.json()
    assert (problem["type"], problem["conflictingShowId"]) == (
        "urn:tickethub:problem:show-overlaps",
        next_day["id"],
    )
    assert (await client.get(f"/shows/{show_id}")).json() == nudged.json()


@pytest.mark.parametrize("field", ["movieId", "hallId"])
async def test_the_movie_and_the_hall_of_a_show_never_change(
    catalog: Any,
    client: httpx.AsyncClient,
    service: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    show_id = str(uuid.uuid4())
    created = (await upsert(client, show_id, body, service)).json()
    other = await catalog.movie() if field == "movieId" else await catalog.hall()

    response = await upsert(client, show_id, body | {field: other["id"]}, service)

    assert response.status_code == 409
    problem = response.json()
    assert (problem["type"], problem["fields"], problem["showId"]) == (
        "urn:tickethub:problem:show-movie-or-hall-changed",
        [field],
        show_id,
    )
    assert (await client.get(f"/shows/{show_id}")).json() == created


async def test_a_cancelled_show_is_refused_even_unchanged(
    client: httpx.AsyncClient, service: dict[str, str], db: asyncpg.Connection, body: dict[str, Any]
) -> None:
    show_id = str(uuid.uuid4())
    assert (await upsert(client, show_id, body, service)).status_code == 201
    cancelled = await client.post(f"/shows/{show_id}/cancel", headers=service)  # SERVICE may cancel
    assert cancelled.status_code == 202, cancelled.text
    await outbox_drained(db)

    response = await upsert(client, show_id, body, service)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:tickethub:problem:show-already-cancelled"
    assert (await client.get(f"/shows/{show_id}")).json() == cancelled.json()
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show_id)


async def test_a_show_that_has_started_is_refused(
    client: httpx.AsyncClient, service: dict[str, str], db: asyncpg.Connection, body: dict[str, Any]
) -> None:
    show_id = str(uuid.uuid4())
    assert (await upsert(client, show_id, body, service)).status_code == 201
    await db.execute(
        "UPDATE shows SET starts_at = now() - interval '1 minute', ends_at = now() + interval '1 hour', "
        "hall_released_at = now() + interval '75 minutes' WHERE id = $1",
        uuid.UUID(show_id),
    )
    started = (await client.get(f"/shows/{show_id}")).json()

    response = await upsert(client, show_id, body, service)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:tickethub:problem:show-already-started"
    assert (await client.get(f"/shows/{show_id}")).json() == started


def _unknown_movie(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"movieId": str(uuid.uuid4())}


def _unknown_hall(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"hallId": str(uuid.uuid4())}


def _in_the_past(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"startsAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}


def _missing_price(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"prices": {"STANDARD": "250.00"}}


def _hold_too_short(body: dict[str, Any]) -> dict[str, Any]:
    return body | {"holdSeconds": 59}


@pytest.mark.parametrize(
    ("spoil", "status", "problem_type", "field"),
    [
        (_unknown_movie, 404, "unknown-movie", None),
        (_unknown_hall, 404, "unknown-hall", None),
        (_in_the_past, 422, "invalid-schedule", "startsAt"),
        (_missing_price, 422, "invalid-prices", "prices.VIP"),
        (_hold_too_short, 422, "invalid-request", "holdSeconds"),
    ],
)
async def test_a_bad_body_is_refused_as_by_post_and_creates_nothing(
    client: httpx.AsyncClient,
    service: dict[str, str],
    body: dict[str, Any],
    spoil: Any,
    status: int,
    problem_type: str,
    field: str | None,
) -> None:
    show_id = str(uuid.uuid4())

    response = await upsert(client, show_id, spoil(body), service)

    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["type"] == f"urn:tickethub:problem:{problem_type}"
    if field:
        assert field in {error["field"] for error in problem["errors"]}
    assert (await client.get(f"/shows/{show_id}")).status_code == 404
    assert not await OutboxMessage.exists().where(OutboxMessage.message_key == show_id)


async def test_an_id_that_is_no_uuid_is_404_as_for_every_show_route(
    client: httpx.AsyncClient, service: dict[str, str], body: dict[str, Any]
) -> None:
    response = await upsert(client, "not-a-uuid", body, service)

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tickethub:problem:unknown-show"
    assert response.json()["type"] == (await client.get("/shows/not-a-uuid")).json()["type"]


async def test_without_a_token_it_is_401_and_with_a_user_token_403(
    client: httpx.AsyncClient, issuer: TokenIssuer, body: dict[str, Any]
) -> None:
    show_id = str(uuid.uuid4())

    anonymous = await client.put(f"/shows/{show_id}", json=body)
    user = await upsert(client, show_id, body, issuer.headers("USER"))

    assert (anonymous.status_code, user.status_code) == (401, 403)
    assert (await client.get(f"/shows/{show_id}")).status_code == 404


async def test_racing_puts_of_one_show_make_one_show_and_one_event(
    client: httpx.AsyncClient,
    service: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    body: dict[str, Any],
) -> None:
    show_id = str(uuid.uuid4())

    responses = await asyncio.gather(*(upsert(client, show_id, body, service) for _ in range(8)))

    assert sorted(response.status_code for response in responses) == [200] * 7 + [201]
    assert all(response.json() == responses[0].json() for response in responses)  # the same show for all
    assert await db.fetchval("SELECT count(*) FROM shows WHERE id = $1", uuid.UUID(show_id)) == 1
    await outbox_drained(db)
    assert [event.revision for event in await published(settings, show_id)] == [1]


async def test_racing_puts_that_name_different_halls_make_one_show(
    catalog: Any,
    client: httpx.AsyncClient,
    service: dict[str, str],
    db: asyncpg.Connection,
    body: dict[str, Any],
) -> None:
    show_id = str(uuid.uuid4())
    other_hall = await catalog.hall()  # its own lock: only the show's primary key orders these two

    responses = await asyncio.gather(
        upsert(client, show_id, body, service),
        upsert(client, show_id, body | {"hallId": other_hall["id"]}, service),
    )

    assert sorted(response.status_code for response in responses) == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["type"] == "urn:tickethub:problem:show-movie-or-hall-changed"
    assert await db.fetchval("SELECT count(*) FROM shows WHERE id = $1", uuid.UUID(show_id)) == 1


async def test_a_put_whose_insert_meets_a_show_committed_meanwhile_updates_that_show(
    client: httpx.AsyncClient,
    service: dict[str, str],
    db: asyncpg.Connection,
    settings: Settings,
    venue: dict[str, Any],
    body: dict[str, Any],
    starts_at: datetime,
) -> None:
    """Another writer's uncommitted show of the same id makes the PUT's insert wait; once it commits,
    the PUT updates that show instead of failing on the primary key."""
    show_id = uuid.uuid4()
    writer = await asyncpg.connect(settings.database_url)
    try:
        transaction = writer.transaction()
        await transaction.start()
        await writer.execute(
            """
            INSERT INTO shows (id, movie_id, hall_id, starts_at, ends_at, hall_released_at, hold_seconds,
                               prices, seat_count, status)
            VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '2 hours',
                    $4::timestamptz + interval '135 minutes', 300,
                    '{"STANDARD": "250.00", "VIP": "400.00"}', 16, 'SCHEDULED')
            """,
            show_id,
            uuid.UUID(venue["movie"]["id"]),
            uuid.UUID(venue["hall"]["id"]),
            starts_at + timedelta(days=2),
        )
        put = asyncio.create_task(upsert(client, str(show_id), body, service))

        async def insert_waits() -> bool:
            # Asked on a connection of its own: inside a transaction the statistics are a snapshot.
            waiting: int = await db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%INSERT INTO shows%ON CONFLICT%'"
            )
            return waiting == 1

        await eventually(insert_waits, "the PUT's insert to wait for the other writer's show")
        await transaction.commit()
        response = await put
    finally:
        await writer.close()

    assert response.status_code == 200, response.text
    show = response.json()
    assert (show["revision"], datetime.fromisoformat(show["startsAt"])) == (2, starts_at)

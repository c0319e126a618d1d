"""GET /payments: the caller's payments only, newest first, paginated; problem+json errors."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

pytestmark = pytest.mark.integration


async def add_payment(
    db: asyncpg.Connection, user_id: str, *, at: datetime, status: str = "CHARGED", amount: str = "250.00"
) -> str:
    payment_id = uuid.uuid4()
    refunded_at = at + timedelta(minutes=1) if status == "REFUNDED" else None
    await db.execute(
        "INSERT INTO payments (id, booking_id, user_id, amount, currency, status, reason, provider_ref, "
        "created_at, refunded_at) VALUES ($1, $2, $3, $4, 'INR', $5, NULL, 'mock_ch_x', $6, $7)",
        payment_id,
        str(uuid.uuid4()),
        user_id,
        Decimal(amount),
        status,
        at,
        refunded_at,
    )
    return str(payment_id)


async def test_lists_the_callers_payments_newest_first(
    client: httpx.AsyncClient, db: asyncpg.Connection, issuer: Any
) -> None:
    user, other = str(uuid.uuid4()), str(uuid.uuid4())
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    oldest = await add_payment(db, user, at=start)
    refunded = await add_payment(db, user, at=start + timedelta(hours=1), status="REFUNDED", amount="99.50")
    newest = await add_payment(db, user, at=start + timedelta(hours=2), status="DECLINED")
    await add_payment(db, other, at=start + timedelta(hours=3))

    response = await client.get("/payments", headers=issuer.headers(subject=user))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 20, 0)
    assert [item["id"] for item in body["items"]] == [newest, refunded, oldest]
    item = body["items"][1]
    assert item["amount"] == "99.50"
    assert item["currency"] == "INR"
    assert item["status"] == "REFUNDED"
    assert datetime.fromisoformat(item["createdAt"]) == start + timedelta(hours=1)
    assert datetime.fromisoformat(item["refundedAt"]) == start + timedelta(hours=1, minutes=1)
    assert set(item) >= {"id", "bookingId", "amount", "currency", "status", "createdAt", "refundedAt"}
    assert body["items"][2]["refundedAt"] is None


async def test_paginates_with_limit_and_offset(
    client: httpx.AsyncClient, db: asyncpg.Connection, issuer: Any
) -> None:
    user = str(uuid.uuid4())
    start = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    ids = [await add_payment(db, user, at=start + timedelta(minutes=i)) for i in range(5)]

    response = await client.get(
        "/payments", params={"limit": 2, "offset": 1}, headers=issuer.headers(subject=user)
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    assert [item["id"] for item in body["items"]] == [ids[3], ids[2]]


async def test_a_user_without_payments_gets_an_empty_page(client: httpx.AsyncClient, issuer: Any) -> None:
    response = await client.get("/payments", headers=issuer.headers(subject=str(uuid.uuid4())))

    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}


async def test_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/payments")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
    ],
)
async def test_out_of_range_paging_is_422_naming_the_field(
    client: httpx.AsyncClient, issuer: Any, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/payments", params=params, headers=issuer.headers(subject=str(uuid.uuid4())))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"]


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/livez")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"postgres": "ok"}

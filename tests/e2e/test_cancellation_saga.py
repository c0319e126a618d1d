"""The cancellation sagas end to end through the public entrypoint: a show cancelled under pending and
confirmed bookings, and a buyer cancelling a confirmed booking. Money balances (I3), no hold leaks
(I4), every saga ends (I7), one e-mail per booking outcome."""

import asyncio

import asyncpg
import pytest
from redis.asyncio import Redis

from system import Api, bearer, buy, subjects_of
from tickethub.stack.local import Stack
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e


async def payments_of(payment_db: asyncpg.Connection, booking_ids: list[str]) -> dict[str, str]:
    rows = await payment_db.fetch(
        "SELECT booking_id, status FROM payments WHERE booking_id = ANY($1::varchar[])", booking_ids
    )
    return {row["booking_id"]: row["status"] for row in rows}


async def show_keys(redis: Redis, show_id: str) -> list[str]:
    """Every Redis key of the show: seat holds, sold markers, buyers' hold counts."""
    return [key async for key in redis.scan_iter(match=f"*{{show:{show_id}}}*")]


async def test_a_cancelled_show_cancels_every_booking_refunds_every_payment_and_mails_every_buyer(
    api: Api, stack: Stack, admin: dict[str, str], payment_db: asyncpg.Connection, redis: Redis
) -> None:
    show = await api.create_show()
    confirmed = [await buy(api, show["id"], seats) for seats in (["A1", "A2"], ["B1"])]
    for buyer in confirmed:
        await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")
    payment = stack.services["payment"]
    payment.stop()  # the next bookings stay PENDING: their charge waits in Kafka
    try:
        pending = [await buy(api, show["id"], seats) for seats in (["A3"], ["B2", "B3"])]

        cancel = {"reason": "Flooded hall"}
        response = await api.http.post(f"/shows/{show['id']}/cancel", json=cancel, headers=admin)

        assert response.status_code == 202, response.text
        assert response.json()["status"] == "CANCELLED"
        for buyer in pending:  # cancelled while their payment is still to be charged
            await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CANCELLED")
    finally:
        payment.start()
        payment.wait_ready(timeout=60)

    buyers = confirmed + pending
    # The confirmed ones are refunded; the pending ones are charged late and so refunded too (never
    # confirmed): every booking ends REFUNDED, and every payment with it.
    await asyncio.gather(
        *(api.wait_for_status(b["token"], b["booking"]["id"], "REFUNDED", within=60) for b in buyers)
    )
    booking_ids = [buyer["booking"]["id"] for buyer in buyers]
    assert await payments_of(payment_db, booking_ids) == dict.fromkeys(booking_ids, "REFUNDED")
    for buyer in confirmed:
        assert await subjects_of(api, buyer["email"], 2) == ["Booking cancelled", "Booking confirmed"]
    for buyer in pending:
        assert await subjects_of(api, buyer["email"], 1) == ["Booking cancelled"]
    assert set((await api.seat_map(show["id"])).values()) == {"AVAILABLE"}
    await eventually(lambda: _no_keys_left(redis, show["id"]), what="every Redis key of the show to be gone")
    again = await api.http.post(f"/shows/{show['id']}/cancel", headers=admin)
    assert (again.status_code, again.json()["revision"]) == (202, response.json()["revision"])
    late = await api.book(confirmed[0]["token"], show["id"], ["A9"])
    assert late.status_code == 409
    assert late.json()["type"] == "urn:tickethub:problem:show-not-bookable"


async def _no_keys_left(redis: Redis, show_id: str) -> bool:
    return await show_keys(redis, show_id) == []


async def test_a_buyer_cancels_a_confirmed_booking_and_is_refunded_once(
    api: Api, payment_db: asyncpg.Connection, redis: Redis
) -> None:
    show = await api.create_show()
    buyer = await buy(api, show["id"], ["A5", "B5"])
    booking_id = buyer["booking"]["id"]
    await api.wait_for_status(buyer["token"], booking_id, "CONFIRMED")
    _, stranger = await api.user_token()

    refused = await api.http.post(f"/bookings/{booking_id}/cancel", headers=bearer(stranger))
    response = await api.http.post(f"/bookings/{booking_id}/cancel", headers=bearer(buyer["token"]))

    assert refused.status_code == 404
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "CANCELLED"
    refunded = await api.wait_for_status(buyer["token"], booking_id, "REFUNDED")
    assert refunded["seats"] == ["A5", "B5"]
    assert await payments_of(payment_db, [booking_id]) == {booking_id: "REFUNDED"}
    listed = (await api.http.get("/payments", headers=bearer(buyer["token"]))).json()["items"]
    assert [(item["bookingId"], item["status"]) for item in listed] == [(booking_id, "REFUNDED")]
    assert listed[0]["refundedAt"] is not None
    seats = await api.seat_map(show["id"])
    assert (seats["A5"], seats["B5"]) == ("AVAILABLE", "AVAILABLE")
    assert await show_keys(redis, show["id"]) == []
    assert await subjects_of(api, buyer["email"], 2) == ["Booking cancelled", "Booking confirmed"]
    again = await api.http.post(f"/bookings/{booking_id}/cancel", headers=bearer(buyer["token"]))
    assert (again.status_code, again.json()["status"]) == (202, "REFUNDED")
    # The seats are on sale again.
    assert (await buy(api, show["id"], ["A5", "B5"]))["booking"]["status"] == "PENDING"

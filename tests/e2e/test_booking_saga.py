"""The booking saga end to end through the public entrypoint: confirm, decline, e-mail."""

import pytest
from redis.asyncio import Redis

from system import Api
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e


async def test_a_paid_booking_is_confirmed_sold_and_mailed(api: Api) -> None:
    show = await api.create_show()
    user, token = await api.user_token()

    response = await api.book(token, show["id"], ["A1", "B2"])

    assert response.status_code == 202, response.text
    booking = response.json()
    assert booking["status"] == "PENDING"
    assert booking["amount"] == "650.00"  # 250.00 STANDARD + 400.00 PREMIUM, priced by the server
    assert sorted(booking["seats"]) == ["A1", "B2"]
    confirmed = await api.wait_for_status(token, booking["id"], "CONFIRMED")
    assert confirmed["amount"] == "650.00"
    seats = await api.seat_map(show["id"])
    assert (seats["A1"], seats["B2"], seats["A2"]) == ("SOLD", "SOLD", "AVAILABLE")
    mails = await eventually(lambda: api.mails_to(user["email"]), what="the confirmation e-mail")
    assert len(mails) == 1
    assert booking["id"] in mails[0]["Subject"] + mails[0].get("Snippet", "")
    assert mails[0]["Snippet"].startswith(f"Hello {user['name']},")  # as they registered


async def test_a_declined_payment_cancels_and_frees_every_seat(api: Api, redis: Redis) -> None:
    show = await api.create_show()
    user, token = await api.user_token()

    response = await api.book(token, show["id"], ["A3", "A4"], paymentToken="tok_decline")

    assert response.status_code == 202, response.text
    booking_id = response.json()["id"]
    await api.wait_for_status(token, booking_id, "CANCELLED")
    seats = await api.seat_map(show["id"])
    assert (seats["A3"], seats["A4"]) == ("AVAILABLE", "AVAILABLE")

    async def holds_released() -> bool:
        return not await redis.exists(f"seat:{{show:{show['id']}}}:A3", f"seat:{{show:{show['id']}}}:A4")

    await eventually(holds_released, what="the Redis holds to be released")
    mails = await eventually(lambda: api.mails_to(user["email"]), what="the cancellation e-mail")
    assert len(mails) == 1
    # The seats are genuinely bookable again.
    _, other = await api.user_token()
    assert (await api.book(other, show["id"], ["A3", "A4"])).status_code == 202

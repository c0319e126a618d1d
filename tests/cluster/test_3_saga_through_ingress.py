"""A booking on the real node, through the Ingress controller: one saga across real Pods."""

import pytest

from system import Api, saga_trace_in_jaeger, subjects_of

pytestmark = pytest.mark.cluster


async def test_a_booking_through_the_ingress_is_confirmed_mailed_and_one_trace(
    api: Api, jaeger_api: str
) -> None:
    show = await api.create_show()  # the admin: movie, theatre, hall, seats and show
    user, token = await api.user_token()  # register, then log in

    response = await api.book(token, show["id"], ["A1", "B1"])

    assert response.status_code == 202, response.text
    booking = response.json()
    assert booking["status"] == "PENDING" and booking["amount"] == "650.00"
    confirmed = await api.wait_for_status(token, booking["id"], "CONFIRMED")
    assert confirmed["seats"] == ["A1", "B1"]
    seats = await api.seat_map(show["id"])
    assert (seats["A1"], seats["B1"], seats["A2"]) == ("SOLD", "SOLD", "AVAILABLE")
    assert await subjects_of(api, user["email"], 1) == ["Booking confirmed"]
    trace = await saga_trace_in_jaeger(jaeger_api, booking["id"])
    assert {"booking", "payment", "notification"} <= {p["serviceName"] for p in trace["processes"].values()}

"""One booking is ONE trace across HTTP and Kafka, as a real OTLP receiver (Jaeger) records it."""

import pytest

from system import Api, saga_trace
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


async def test_a_booking_is_one_trace_from_request_to_email(api: Api, stack: Stack) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    response = await api.book(token, show["id"], ["B1"])
    booking_id = response.json()["id"]
    await api.wait_for_status(token, booking_id, "CONFIRMED")

    trace = await saga_trace(stack.jaeger.query_url, booking_id)

    services = {p["serviceName"] for p in trace["processes"].values()}
    assert {"booking", "payment", "notification"} <= services

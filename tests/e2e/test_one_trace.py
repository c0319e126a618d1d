"""One booking is ONE trace across HTTP and Kafka, as a real OTLP receiver (Jaeger) records it."""

import json
from typing import Any

import httpx
import pytest

from system import Api
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e

# The saga's edges: (service, span kind) that must all appear in the trace of one POST /bookings.
SAGA_EDGES = [
    ("booking", "server"),  # POST /bookings
    ("booking", "producer"),  # BookingRequested, relayed from the outbox
    ("payment", "consumer"),
    ("payment", "producer"),  # PaymentSucceeded
    ("booking", "consumer"),
    ("booking", "producer"),  # BookingConfirmed
    ("notification", "consumer"),
]


async def test_a_booking_is_one_trace_from_request_to_email(api: Api) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    response = await api.book(token, show["id"], ["B1"])
    booking_id = response.json()["id"]
    await api.wait_for_status(token, booking_id, "CONFIRMED")

    async with httpx.AsyncClient(base_url=api.stack.jaeger.query_url) as jaeger:

        async def complete_trace() -> dict[str, Any] | None:
            tags = json.dumps({"tickethub.booking.id": booking_id})
            found = await jaeger.get(
                "/api/traces", params={"service": "booking", "tags": tags, "lookback": "1h"}
            )
            for trace in found.json().get("data") or []:
                kinds = {
                    (
                        trace["processes"][span["processID"]]["serviceName"],
                        next((t["value"] for t in span["tags"] if t["key"] == "span.kind"), ""),
                    )
                    for span in trace["spans"]
                }
                if all(edge in kinds for edge in SAGA_EDGES):
                    return trace
            return None

        trace = await eventually(complete_trace, what="one trace holding every saga edge", within=45)

    services = {p["serviceName"] for p in trace["processes"].values()}
    assert {"booking", "payment", "notification"} <= services

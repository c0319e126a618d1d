"""One booking is ONE trace across HTTP and Kafka, as the local trace store (Zipkin) records it and a
person finds it: by searching for the booking id."""

import pytest

from system import Api, saga_trace_in_zipkin
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


async def test_a_booking_is_one_trace_from_request_to_email(api: Api, stack: Stack) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    response = await api.book(token, show["id"], ["B1"])
    booking_id = response.json()["id"]
    await api.wait_for_status(token, booking_id, "CONFIRMED")

    spans = await saga_trace_in_zipkin(stack.zipkin.url, booking_id)

    assert {span["traceId"] for span in spans} == {spans[0]["traceId"]}
    assert {"booking", "payment", "notification"} <= {s["localEndpoint"]["serviceName"] for s in spans}
    # One tree: a single root, the request that placed the booking; every other span hangs under a
    # span of the same trace (the Kafka hops included).
    ids = {span["id"] for span in spans}
    roots = [span for span in spans if "parentId" not in span]
    assert [(r["localEndpoint"]["serviceName"], r["kind"], r["name"]) for r in roots] == [
        ("booking", "SERVER", "post /bookings")
    ]
    assert {span["parentId"] for span in spans if "parentId" in span} <= ids

"""Each service's /metrics, scraped as Prometheus would (straight from the pod, no token): one booking moves
the HTTP and saga metrics of every service it passes through, and the public entrypoint never serves them.
"""

import httpx
import pytest

from system import Api
from tickethub.contracts.topics import BOOKING_CONFIRMED, BOOKING_REQUESTED, PAYMENT_SUCCEEDED
from tickethub.stack.local import Stack
from tickethub.telemetry import DURATION_BUCKETS_SECONDS
from tickethub.testing import eventually, label_values, sample_total
from tickethub.web.app import docs_path
from tickethub.web.metrics import METRICS_PATH

pytestmark = pytest.mark.e2e

SERVICES = ("users", "catalog", "booking", "payment", "notification")
REQUESTS = "http_server_request_duration_seconds_count"
# FastStream declares the unit "message" (not "{message}"), which the exporter appends to the name.
PROCESSED = "messaging_process_messages_message_total"
PUBLISHED = "messaging_publish_messages_message_total"
PROCESS_BUCKETS = "messaging_process_duration_seconds_bucket"
MOVES = "tickethub_booking_moves_total"
CONFIRMATION = "tickethub_booking_confirmation_duration_seconds"


async def scrape(stack: Stack, service: str) -> str:
    async with httpx.AsyncClient(base_url=stack.services[service].url) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200, f"{service}: {response.status_code} {response.text[:200]}"
    return response.text


async def test_every_service_serves_its_own_metrics(stack: Stack) -> None:
    for service in SERVICES:
        document = docs_path(service) + "/openapi.json"
        async with httpx.AsyncClient(base_url=stack.services[service].url) as http:
            assert (await http.get(document)).status_code == 200

        metrics = await scrape(stack, service)

        assert label_values(metrics, "target_info", "service_name") == {service}
        assert sample_total(metrics, REQUESTS, http_route=document, http_response_status_code="200") >= 1


async def test_make_up_prints_where_the_metrics_are(stack: Stack) -> None:
    printed = stack.urls()["metrics"]
    booking = f"{stack.services['booking'].url}{METRICS_PATH}"

    assert printed.startswith(booking + " ")
    assert all(f"{service} {stack.services[service].port}" in printed for service in SERVICES)


async def test_metrics_are_not_served_through_the_public_entrypoint(api: Api) -> None:
    response = await api.http.get("/metrics")

    assert response.status_code == 404


async def test_one_booking_moves_the_http_and_saga_metrics(api: Api, stack: Stack) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    before = {service: await scrape(stack, service) for service in SERVICES}

    response = await api.book(token, show["id"], ["A1"])
    assert response.status_code == 202, response.text
    await api.wait_for_status(token, response.json()["id"], "CONFIRMED")

    def grew(service: str, now: str, sample: str, **labels: str) -> float:
        return sample_total(now, sample, **labels) - sample_total(before[service], sample, **labels)

    booking = await scrape(stack, "booking")
    post = {"http_route": "/bookings", "http_request_method": "POST", "http_response_status_code": "202"}
    assert grew("booking", booking, REQUESTS, **post) == 1
    assert grew("booking", booking, PUBLISHED, messaging_destination_name=BOOKING_REQUESTED.name) >= 1
    assert grew("booking", booking, PROCESSED, messaging_destination_name=PAYMENT_SUCCEEDED.name) >= 1
    assert grew("booking", booking, PUBLISHED, messaging_destination_name=BOOKING_CONFIRMED.name) >= 1
    payment = await scrape(stack, "payment")
    assert grew("payment", payment, PROCESSED, messaging_destination_name=BOOKING_REQUESTED.name) >= 1
    assert grew("payment", payment, PUBLISHED, messaging_destination_name=PAYMENT_SUCCEEDED.name) >= 1

    async def notified() -> float:
        now = await scrape(stack, "notification")
        return grew("notification", now, PROCESSED, messaging_destination_name=BOOKING_CONFIRMED.name)

    await eventually(notified, what="notification to count the BookingConfirmed it consumed")


async def test_metrics_read_as_a_person_expects(api: Api, stack: Stack) -> None:
    """Durations in seconds with buckets in seconds, the topic under one label name whether published or
    consumed, and no instrumentation-scope labels on every series."""
    show = await api.create_show()
    _, token = await api.user_token()
    response = await api.book(token, show["id"], ["A2"])
    await api.wait_for_status(token, response.json()["id"], "CONFIRMED")
    payment = await scrape(stack, "payment")  # it consumed BookingRequested and published the outcome

    bounds = label_values(payment, PROCESS_BUCKETS, "le") - {"+Inf"}
    assert sorted(float(bound) for bound in bounds) == list(DURATION_BUCKETS_SECONDS)
    assert label_values(payment, PROCESSED, "messaging_destination_publish_name") == {""}
    assert BOOKING_REQUESTED.name in label_values(payment, PROCESSED, "messaging_destination_name")
    assert "otel_scope_name" not in payment


async def test_the_saga_counts_its_outcomes_and_how_long_a_confirmation_took(api: Api, stack: Stack) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    before = await scrape(stack, "booking")
    paid = (await api.book(token, show["id"], ["A3"])).json()
    declined = (await api.book(token, show["id"], ["A4"], paymentToken="tok_decline")).json()
    await api.wait_for_status(token, paid["id"], "CONFIRMED")
    await api.wait_for_status(token, declined["id"], "CANCELLED")

    after = await scrape(stack, "booking")

    def grew(sample: str, **labels: str) -> float:
        return sample_total(after, sample, **labels) - sample_total(before, sample, **labels)

    # At least: an earlier test's saga may still be ending beside these two.
    assert grew(MOVES, tickethub_booking_status="confirmed") >= 1
    assert grew(MOVES, tickethub_booking_status="cancelled") >= 1
    confirmations = grew(CONFIRMATION + "_count")
    assert confirmations >= 1
    assert 0 < grew(CONFIRMATION + "_sum") / confirmations < 30  # seconds, from the hold to CONFIRMED

"""/metrics: every request measured by its route template (bounded series), probes and scrapes not at all."""

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import get
from litestar.params import FromPath

from tickethub.settings import ProcessSettings
from tickethub.testing import client_of, label_values, sample_total
from tickethub.web.app import create_service_app

REQUESTS = "http_server_request_duration_seconds_count"


@get("/things/{thing_id:int}", exclude_from_auth=True)
async def thing(thing_id: FromPath[int]) -> dict[str, int]:
    return {"id": thing_id}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(service="t", settings=ProcessSettings(), description="t", route_handlers=[thing])
    async with client_of(app) as http:
        yield http


async def scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


async def test_requests_are_counted_per_route_template_not_per_path(client: httpx.AsyncClient) -> None:
    ok = {
        "http_route": "/things/{thing_id}",
        "http_request_method": "GET",
        "http_response_status_code": "200",
    }
    unrouted = {"http_route": "", "http_response_status_code": "404"}
    before = await scrape(client)
    for thing_id in (1, 2, 3):
        assert (await client.get(f"/things/{thing_id}")).status_code == 200
    assert (await client.get("/nowhere")).status_code == 404

    after = await scrape(client)

    assert sample_total(after, REQUESTS, **ok) - sample_total(before, REQUESTS, **ok) == 3
    assert sample_total(after, REQUESTS, **unrouted) - sample_total(before, REQUESTS, **unrouted) == 1
    assert {
        route for route in label_values(after, REQUESTS, "http_route") if route.startswith("/things")
    } == {"/things/{thing_id}"}


async def test_probes_and_scrapes_are_not_measured(client: httpx.AsyncClient) -> None:
    for path in ("/livez", "/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 200

    routes = label_values(await scrape(client), REQUESTS, "http_route")

    assert not routes & {"/livez", "/readyz", "/metrics"}


async def test_metrics_are_not_part_of_the_api_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/docs/t/openapi.json")).json()

    assert "/things/{thing_id}" in document["paths"]
    assert "/metrics" not in document["paths"]

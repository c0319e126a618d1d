"""Each service's Swagger UI and OpenAPI document, through the entrypoint, as a new user would open them.

Every path a document lists must also be routed to that same service by the entrypoint, so "try it
out" in Swagger UI reaches the service the document describes, except the cluster-internal paths
(`/internal/...`, for the Kubernetes operator), which the entrypoint must route nowhere; and the
document served is the finished one (every error response problem+json), not the framework's first
draft. The page loads its scripts and styles from the service itself, through the entrypoint, never
from a CDN: the docs work offline.
"""

import uuid

import pytest

from system import Api, bearer, expect_problem
from tickethub.stack.routes import load_routes
from tickethub.testing.swagger import assert_swagger_ui_self_hosted

pytestmark = pytest.mark.e2e

ROUTES = load_routes()
SERVICES = sorted({route.service for route in ROUTES})
INTERNAL_PREFIX = "/internal/"


def routed_to(path: str) -> str | None:
    """The service the entrypoint sends `path` to (routes are longest prefix first)."""
    for route in ROUTES:
        if path == route.prefix or path.startswith(route.prefix.rstrip("/") + "/"):
            return route.service
    return None


def expected_route(path: str, service: str) -> str | None:
    """Where the entrypoint must send a path `service` documents: there, or nowhere if it is internal."""
    return None if path.startswith(INTERNAL_PREFIX) else service


@pytest.mark.parametrize("service", SERVICES)
async def test_swagger_ui_is_served_for_every_service(api: Api, service: str) -> None:
    response = await api.http.get(f"/docs/{service}")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in response.text.lower()
    assert f"TicketHub {service}" in response.text  # the page carries the service's own document


@pytest.mark.parametrize("service", SERVICES)
async def test_swagger_ui_loads_only_files_served_through_the_entrypoint(api: Api, service: str) -> None:
    await assert_swagger_ui_self_hosted(api.http, f"/docs/{service}")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_documented_path_is_routed_to_its_service(api: Api, service: str) -> None:
    response = await api.http.get(f"/docs/{service}/openapi.json")

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == f"TicketHub {service}"
    assert document["paths"], f"{service} documents no path"
    misrouted = {
        path: routed_to(path)
        for path in document["paths"]
        if routed_to(path) != expected_route(path, service)
    }
    assert not misrouted, f"documented by {service} but routed elsewhere (or, internal, routed): {misrouted}"
    not_problems = [
        f"{method.upper()} {path} {status}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] in "45" and "application/problem+json" not in response.get("content", {})
    ]
    assert not not_problems, f"error responses served without problem+json: {not_problems}"


async def test_the_entrypoint_answers_internal_paths_itself(api: Api) -> None:
    """Booking's per-show sweep is for callers inside the cluster: even an admin's request from outside
    gets the entrypoint's own 404, never booking's answer."""
    admin = await api.admin_token()

    response = await api.http.post(f"/internal/shows/{uuid.uuid4()}/sweep", headers=bearer(admin))

    problem = expect_problem(response, 404)
    assert (problem["type"], problem["detail"]) == ("about:blank", "No TicketHub API serves this path.")

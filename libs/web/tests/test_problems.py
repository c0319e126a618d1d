"""Every failure becomes a precise RFC 9457 problem: 400 malformed, 422 invalid (field named), no leaks."""

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import msgspec
import pytest
from litestar import get, post
from litestar.params import HeaderParameter, JSONBody

from tickethub.settings import ProcessSettings
from tickethub.testing import client_of
from tickethub.web.app import create_service_app
from tickethub.web.problems import Conflict


class Row(msgspec.Struct):
    name: str
    category: str


class Layout(msgspec.Struct):
    rows: list[Row]


class SeatsGone(Conflict):
    slug = "seats-gone"
    title = "Seats gone"


@post("/layouts", exclude_from_auth=True)
async def put_layout(data: JSONBody[Layout]) -> dict[str, int]:
    return {"rows": len(data.rows)}


@get("/conflict", exclude_from_auth=True)
async def conflict() -> None:
    raise SeatsGone("A1 is gone.", takenSeats=["A1"])


@get("/busy", exclude_from_auth=True)
async def busy() -> None:
    raise SeatsGone("Try again in a moment.", retry_after=3)


@get("/keyed", exclude_from_auth=True)
async def keyed(request_key: Annotated[str, HeaderParameter(name="Request-Key", pattern=r"^[a-z]+$")]) -> str:
    return request_key


@get("/crash", exclude_from_auth=True)
async def crash() -> None:
    raise RuntimeError("secret internal detail")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        service="t",
        settings=ProcessSettings(),
        description="t",
        route_handlers=[put_layout, conflict, busy, keyed, crash],
    )
    async with client_of(app) as http:
        yield http


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ('{"rows":[{"name":"A"}]}', 422, ["rows[0].category"]),
        ('{"rows":[{"name":"A","category":7}]}', 422, ["rows[0].category"]),
        ("{}", 422, ["rows"]),
        ("[]", 400, None),
        ('"rows"', 400, None),
        ("{not json", 400, None),
    ],
)
async def test_bad_bodies_are_told_apart(
    client: httpx.AsyncClient, body: str, status: int, fields: list[str] | None
) -> None:
    response = await client.post("/layouts", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert [e["field"] for e in problem.get("errors", [])] == (fields or [])


async def test_a_domain_error_keeps_its_type_and_fields(client: httpx.AsyncClient) -> None:
    response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "type": "urn:tickethub:problem:seats-gone",
        "title": "Seats gone",
        "status": 409,
        "detail": "A1 is gone.",
        "takenSeats": ["A1"],
    }


async def test_an_internal_error_leaks_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "Traceback" not in response.text


async def test_an_unknown_path_is_a_problem_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_domain_error_may_say_when_to_retry(client: httpx.AsyncClient) -> None:
    response = await client.get("/busy")

    assert response.status_code == 409
    assert response.headers["retry-after"] == "3"
    assert "retryAfter" not in response.json()  # a header, not a body member


async def test_an_invalid_header_is_named_as_the_client_sent_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/keyed", headers={"Request-Key": "NOT lower"})

    assert response.status_code == 422
    assert [(e["field"], e["in"]) for e in response.json()["errors"]] == [("Request-Key", "header")]

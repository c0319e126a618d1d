"""Calls to catalog and booking: the client-credentials token, and answers mapped to outcomes."""

import base64
import json
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs

import httpx
import pytest

from show_operator.clients import ShowServices
from show_operator.errors import ServiceRejected, ServiceUnavailable
from show_operator.tokens import ClientCredentials

TOKEN_URL = "http://users.test/auth/token"
CATALOG_URL = "http://catalog.test"
BOOKING_URL = "http://booking.test"
SHOW_ID = "0b9a3c8e-4f7d-4a51-9c2e-5d8f6a7b1c20"
HALL_ID = "5a0c7e1b-2d3f-4b6a-8c9d-0e1f2a3b4c5d"
SHOW = {
    "id": SHOW_ID,
    "movieId": "m",
    "movieTitle": "Dune",
    "hallId": HALL_ID,
    "hallName": "Audi 1",
    "theatreId": "t",
    "theatreName": "Galaxy",
    "city": "Pune",
    "startsAt": "2026-12-01T18:30:00Z",
    "endsAt": "2026-12-01T21:20:00Z",
    "prices": {"STANDARD": "250.00"},
    "holdSeconds": 600,
    "status": "SCHEDULED",
    "seatCount": 24,
    "revision": 1,
}
Responder = Callable[[httpx.Request], httpx.Response]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    """Stands in for users, catalog and booking: answers per path, and remembers every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_lifetime = 900
        self.routes: dict[tuple[str, str], Responder] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # A copy: the auth flow sends the same request object again with a new token.
        self.requests.append(
            httpx.Request(request.method, request.url, headers=request.headers, content=request.read())
        )
        if str(request.url) == TOKEN_URL:
            return self.issue_token(request)
        return self.routes[request.method, request.url.path](request)

    def issue_token(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(b"show-operator:s3cret").decode()
        form = parse_qs(request.content.decode())
        if request.headers.get("Authorization") != expected or form != {"grant_type": ["client_credentials"]}:
            return httpx.Response(401, json={"error": "invalid_client"})
        self.tokens_issued += 1
        return httpx.Response(
            200,
            json={
                "access_token": f"token-{self.tokens_issued}",
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def bearers(self, path: str) -> list[str | None]:
        return [request.headers.get("Authorization") for request in self.requests if request.url.path == path]


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def services(upstream: Upstream, clock: Clock) -> AsyncIterator[ShowServices]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(upstream)) as http:
        credentials = ClientCredentials(http, TOKEN_URL, "show-operator", "s3cret", clock=clock)
        yield ShowServices(http, catalog_url=CATALOG_URL, booking_url=BOOKING_URL, auth=credentials)


def sweep_answer(request: httpx.Request) -> httpx.Response:
    seats = {"total": 24, "available": 20, "held": 3, "sold": 1}
    return httpx.Response(200, json={"showId": SHOW_ID, "expired": 2, "seats": seats})


def problem(status: int, title: str, detail: str) -> Responder:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return lambda _: httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


SWEEP_PATH = f"/internal/shows/{SHOW_ID}/sweep"
SHOW_PATH = f"/shows/{SHOW_ID}"


async def test_one_token_serves_many_calls_until_shortly_before_it_expires(
    services: ShowServices, upstream: Upstream, clock: Clock
) -> None:
    upstream.routes["POST", SWEEP_PATH] = sweep_answer
    await services.sweep(SHOW_ID)
    clock.now += 900 - 61
    await services.sweep(SHOW_ID)
    assert upstream.tokens_issued == 1
    clock.now += 2  # within the last minute of the token's life
    await services.sweep(SHOW_ID)
    assert upstream.tokens_issued == 2
    assert upstream.bearers(SWEEP_PATH) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


async def test_a_short_lived_token_is_renewed_after_nine_tenths_of_its_life(
    services: ShowServices, upstream: Upstream, clock: Clock
) -> None:
    upstream.token_lifetime = 100
    upstream.routes["POST", SWEEP_PATH] = sweep_answer
    await services.sweep(SHOW_ID)
    clock.now += 89
    await services.sweep(SHOW_ID)
    clock.now += 2
    await services.sweep(SHOW_ID)
    assert upstream.tokens_issued == 2


async def test_a_refused_token_is_fetched_again_once_and_the_request_repeated(
    services: ShowServices, upstream: Upstream
) -> None:
    answers = iter(
        [httpx.Response(401, json={"title": "Unauthorized", "status": 401}), httpx.Response(200, json=SHOW)]
    )
    upstream.routes["PUT", SHOW_PATH] = lambda _: next(answers)
    show = await services.upsert_show(SHOW_ID, {"movieId": "m"})
    assert show.revision == 1
    assert upstream.bearers(SHOW_PATH) == ["Bearer token-1", "Bearer token-2"]
    assert [
        json.loads(request.content) for request in upstream.requests if request.url.path == SHOW_PATH
    ] == [
        {"movieId": "m"},
        {"movieId": "m"},
    ]


async def test_a_second_401_is_a_rejection_not_a_loop(services: ShowServices, upstream: Upstream) -> None:
    upstream.routes["PUT", SHOW_PATH] = problem(401, "Unauthorized", "The token's audience is wrong.")
    with pytest.raises(ServiceRejected) as refused:
        await services.upsert_show(SHOW_ID, {})
    assert refused.value.status == 401
    assert upstream.tokens_issued == 2
    assert len(upstream.bearers(SHOW_PATH)) == 2


async def test_a_4xx_problem_is_a_rejection_carrying_its_title_and_detail(
    services: ShowServices, upstream: Upstream
) -> None:
    upstream.routes["PUT", SHOW_PATH] = problem(
        409, "Conflict", "The show overlaps another show of the hall."
    )
    with pytest.raises(ServiceRejected) as refused:
        await services.upsert_show(SHOW_ID, {})
    error = refused.value
    assert (error.service, error.status, error.title) == ("catalog", 409, "Conflict")
    assert error.explanation == "The show overlaps another show of the hall."
    assert str(error) == "catalog: 409 Conflict: The show overlaps another show of the hall."


async def test_a_4xx_without_a_problem_body_is_still_a_rejection(
    services: ShowServices, upstream: Upstream
) -> None:
    upstream.routes["POST", SWEEP_PATH] = lambda _: httpx.Response(404, text="<html>not here</html>")
    with pytest.raises(ServiceRejected) as refused:
        await services.sweep(SHOW_ID)
    assert (refused.value.status, refused.value.explanation) == (404, "Not Found")


@pytest.mark.parametrize(
    "failure",
    [
        lambda _: httpx.Response(503, json={"title": "Service Unavailable"}),
        lambda _: httpx.Response(500, text="boom"),
        lambda _: httpx.Response(429, headers={"Retry-After": "1"}),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused", request=request)),
        lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=request)),
        lambda _: httpx.Response(200, json={"unexpected": True}),
    ],
    ids=["503", "500", "429", "connection refused", "timeout", "malformed answer"],
)
async def test_outages_and_nonsense_are_unavailability(
    services: ShowServices, upstream: Upstream, failure: Responder
) -> None:
    upstream.routes["POST", SWEEP_PATH] = failure
    with pytest.raises(ServiceUnavailable) as unavailable:
        await services.sweep(SHOW_ID)
    assert unavailable.value.service == "booking"


async def test_a_refused_client_is_unavailability_of_users_and_reaches_no_service(
    upstream: Upstream, clock: Clock
) -> None:
    upstream.routes["POST", SWEEP_PATH] = sweep_answer
    async with httpx.AsyncClient(transport=httpx.MockTransport(upstream)) as http:
        credentials = ClientCredentials(http, TOKEN_URL, "show-operator", "wrong", clock=clock)
        services = ShowServices(http, catalog_url=CATALOG_URL, booking_url=BOOKING_URL, auth=credentials)
        with pytest.raises(ServiceUnavailable) as unavailable:
            await services.sweep(SHOW_ID)
    assert unavailable.value.service == "users"
    assert "401" in str(unavailable.value)
    assert upstream.bearers(SWEEP_PATH) == []


async def test_an_upsert_reports_catalogs_record_and_whether_it_was_created(
    services: ShowServices, upstream: Upstream
) -> None:
    upstream.routes["PUT", SHOW_PATH] = lambda _: httpx.Response(201, json=SHOW)
    show = await services.upsert_show(SHOW_ID, {"movieId": "m"})
    assert show.created
    assert (show.id, show.movie_title, show.theatre_name, show.hall_name) == (
        SHOW_ID,
        "Dune",
        "Galaxy",
        "Audi 1",
    )
    upstream.routes["PUT", SHOW_PATH] = lambda _: httpx.Response(200, json={**SHOW, "revision": 2})
    assert not (await services.upsert_show(SHOW_ID, {"movieId": "m"})).created


async def test_a_cancel_gives_catalog_the_reason(services: ShowServices, upstream: Upstream) -> None:
    cancel_path = f"{SHOW_PATH}/cancel"
    upstream.routes["POST", cancel_path] = lambda _: httpx.Response(202, json={**SHOW, "status": "CANCELLED"})
    await services.cancel_show(SHOW_ID, "The show was withdrawn.")
    (sent,) = [request for request in upstream.requests if request.url.path == cancel_path]
    assert json.loads(sent.content) == {"reason": "The show was withdrawn."}
    assert sent.headers["Authorization"] == "Bearer token-1"


async def test_a_halls_categories_are_read_without_a_token(
    services: ShowServices, upstream: Upstream
) -> None:
    layout = {"hallId": HALL_ID, "seats": [], "categories": ["STANDARD", "PREMIUM"]}
    upstream.routes["GET", f"/halls/{HALL_ID}/seats"] = lambda _: httpx.Response(200, json=layout)
    assert await services.hall_categories(HALL_ID, wait_seconds=2.0) == {"STANDARD", "PREMIUM"}
    assert upstream.tokens_issued == 0
    assert upstream.bearers(f"/halls/{HALL_ID}/seats") == [None]


async def test_a_sweep_reports_expired_bookings_and_seats(services: ShowServices, upstream: Upstream) -> None:
    upstream.routes["POST", SWEEP_PATH] = sweep_answer
    sweep = await services.sweep(SHOW_ID)
    assert sweep.expired == 2
    assert sweep.seats.as_status() == {"total": 24, "available": 20, "held": 3, "sold": 1}
    assert not sweep.seats.settled

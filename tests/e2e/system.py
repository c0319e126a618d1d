"""Helpers for end-to-end tests: outages of a server, and an API client of a running system."""

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tickethub.stack.local import BOOKING_ID_TAG
from tickethub.stack.processes import Server
from tickethub.testing import DEADLINE_SECONDS, eventually


@contextlib.contextmanager
def stopped(server: Server, *, restart_within: float = 60) -> Iterator[None]:
    """A real outage of `server` for the block; it is started again, and ready, however the block ends."""
    server.stop()
    try:
        yield
    finally:
        server.start()
        server.wait_ready(timeout=restart_within)


@dataclass
class Api:
    """A client of TicketHub's public entrypoint (the local stack's, or a cluster's Ingress)."""

    http: httpx.AsyncClient
    admin_email: str
    admin_password: str
    mail_api_url: str  # the mail catcher's HTTP API: every e-mail the system sent

    async def register(
        self, *, email: str | None = None, password: str = "correct horse battery"
    ) -> dict[str, Any]:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        response = await self.http.post(
            "/auth/register", json={"email": email, "password": password, "name": "Test User"}
        )
        assert response.status_code == 201, response.text
        return {**response.json(), "password": password}

    async def login(self, email: str, password: str) -> str:
        response = await self.http.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["accessToken"]
        return token

    async def user_token(self) -> tuple[dict[str, Any], str]:
        user = await self.register()
        return user, await self.login(user["email"], user["password"])

    async def admin_token(self) -> str:
        return await self.login(self.admin_email, self.admin_password)

    async def create_venue(self, *, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A movie and a theatre with one hall and its seat layout, created by the admin."""
        suffix = uuid.uuid4().hex[:8]
        movie = await self._admin_write(
            "POST", "/movies", {"title": f"Film {suffix}", "durationMinutes": 120}
        )
        theatre = await self._admin_write("POST", "/theatres", {"name": f"Cinema {suffix}", "city": "Pune"})
        hall = await self._admin_write("POST", f"/theatres/{theatre['id']}/halls", {"name": "Hall 1"})
        await self._admin_write(
            "PUT",
            f"/halls/{hall['id']}/seats",
            {
                "rows": rows
                or [
                    {"name": "A", "count": 10, "category": "STANDARD"},
                    {"name": "B", "count": 10, "category": "PREMIUM"},
                ]
            },
        )
        return {"movie": movie, "theatre": theatre, "hall": hall}

    async def create_show(
        self,
        *,
        rows: list[dict[str, Any]] | None = None,
        hold_seconds: int | None = None,
        prices: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Movie, theatre, hall, layout and show, created by the admin; waits until booking knows it."""
        venue = await self.create_venue(rows=rows)
        body: dict[str, Any] = {
            "movieId": venue["movie"]["id"],
            "hallId": venue["hall"]["id"],
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400 * 3)),
            "prices": prices or {"STANDARD": "250.00", "PREMIUM": "400.00"},
        }
        if hold_seconds is not None:
            body["holdSeconds"] = hold_seconds
        show = await self._admin_write("POST", "/shows", body)
        await self.wait_until_bookable(show["id"])
        return show

    async def wait_until_bookable(self, show_id: str, *, within: float = DEADLINE_SECONDS) -> None:
        async def booking_knows_show() -> bool:
            return (await self.http.get(f"/bookings/show/{show_id}")).status_code == 200

        await eventually(booking_knows_show, what="booking's read model to receive the show", within=within)

    async def _admin_write(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        admin = {"Authorization": f"Bearer {await self.admin_token()}"}
        response = await self.http.request(method, path, json=body, headers=admin)
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        data: dict[str, Any] = response.json()
        return data

    async def book(
        self,
        token: str,
        show_id: str,
        seats: list[str],
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        return await self.http.post(
            "/bookings",
            json={"showId": show_id, "seats": seats, **extra},
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
        )

    async def wait_for_status(
        self, token: str, booking_id: str, status: str, *, within: float = DEADLINE_SECONDS
    ) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            response = await self.http.get(
                f"/bookings/{booking_id}", headers={"Authorization": f"Bearer {token}"}
            )
            body: dict[str, Any] = response.json()
            return body if body.get("status") == status else None

        return await eventually(probe, what=f"booking {booking_id} to become {status}", within=within)

    async def seat_map(self, show_id: str) -> dict[str, str]:
        response = await self.http.get(f"/bookings/show/{show_id}")
        assert response.status_code == 200, response.text
        return {seat["id"]: seat["status"] for seat in response.json()["seats"]}

    async def mails_to(self, recipient: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.mail_api_url) as mail:
            response = await mail.get("/api/v1/search", params={"query": f"to:{recipient}"})
            response.raise_for_status()
            messages: list[dict[str, Any]] = response.json()["messages"]
            return messages


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


Edge = tuple[str, str]  # (service, span kind)


async def saga_trace_in_zipkin(zipkin_url: str, booking_id: str) -> list[dict[str, Any]]:
    """The booking's trace (its spans) in Zipkin, found by the booking id the way a person searches for
    it, once it holds every saga edge."""
    async with httpx.AsyncClient(base_url=zipkin_url) as zipkin:

        async def complete_trace() -> list[dict[str, Any]] | None:
            found = await zipkin.get(
                "/api/v2/traces",
                params={"annotationQuery": f"{BOOKING_ID_TAG}={booking_id}", "lookback": 3_600_000},
            )
            for spans in found.json():
                edges = {(s["localEndpoint"]["serviceName"], s.get("kind", "").lower()) for s in spans}
                if _every_saga_edge(edges):
                    trace: list[dict[str, Any]] = spans
                    return trace
            return None

        return await eventually(complete_trace, what="one trace holding every saga edge", within=45)


async def saga_trace_in_jaeger(jaeger_url: str, booking_id: str) -> dict[str, Any]:
    """The booking's trace in Jaeger (its query API at `jaeger_url`), once it holds every saga edge."""
    async with httpx.AsyncClient(base_url=jaeger_url) as jaeger:

        async def complete_trace() -> dict[str, Any] | None:
            tags = json.dumps({BOOKING_ID_TAG: booking_id})
            found = await jaeger.get(
                "/api/traces", params={"service": "booking", "tags": tags, "lookback": "1h"}
            )
            for trace in found.json().get("data") or []:
                edges = {
                    (
                        trace["processes"][span["processID"]]["serviceName"],
                        next((t["value"] for t in span["tags"] if t["key"] == "span.kind"), ""),
                    )
                    for span in trace["spans"]
                }
                if _every_saga_edge(edges):
                    trace_found: dict[str, Any] = trace
                    return trace_found
            return None

        return await eventually(complete_trace, what="one trace holding every saga edge", within=45)


def _every_saga_edge(edges: set[Edge]) -> bool:
    return all(edge in edges for edge in SAGA_EDGES)


async def buy(api: Api, show_id: str, seats: list[str]) -> dict[str, Any]:
    """A new buyer's booking of `seats`: {"email", "token", "booking"}."""
    user, token = await api.user_token()
    response = await api.book(token, show_id, seats)
    assert response.status_code == 202, response.text
    return {"email": user["email"], "token": token, "booking": response.json()}


async def subjects_of(api: Api, email: str, count: int) -> list[str]:
    """The subjects of the buyer's e-mails, once `count` have arrived."""

    async def arrived() -> list[dict[str, Any]] | None:
        mails = await api.mails_to(email)
        return mails if len(mails) >= count else None

    mails = await eventually(arrived, what=f"{count} e-mail(s) to {email}")
    return sorted(mail["Subject"].split(":")[0] for mail in mails)


PROBLEM_JSON = "application/problem+json"
# Ids that name nothing, for parametrize: garbage (the second has a UUID's length, not its form), a UUID.
GARBAGE_IDS = [
    pytest.param("not-an-id", id="garbage-id"),
    pytest.param("0123456789abcdef0123456789abcdef0123", id="uuid-length-garbage-id"),
]
UNKNOWN_IDS = [pytest.param(str(uuid.uuid4()), id="unknown-uuid"), *GARBAGE_IDS]
# Out-of-range paging of every list: (query, the parameter the 422 must name).
BAD_PAGES = [
    pytest.param({"limit": 0}, "limit", id="limit-0"),
    pytest.param({"limit": 101}, "limit", id="limit-too-large"),
    pytest.param({"offset": -1}, "offset", id="negative-offset"),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, and leaks no internals."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["title"], problem
    assert "Traceback" not in response.text
    return problem


def expect_unauthenticated(response: httpx.Response) -> dict[str, Any]:
    """401 for a missing or bad token: a problem with the Bearer challenge."""
    problem = expect_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer"), response.headers
    return problem


def expect_invalid(response: httpx.Response, field: str, *, source: str = "body") -> dict[str, Any]:
    """A 422 whose `errors` name `field` as sent (nested ones as `rows[0].count`) and where it was."""
    problem = expect_problem(response, 422)
    named = {(error["field"], error["in"]) for error in problem["errors"]}
    assert (field, source) in named, named
    return problem

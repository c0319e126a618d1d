"""The whole system, started exactly as `make up` starts it (temporary data, free ports)."""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from tickethub.stack.local import Ports, Stack

T = TypeVar("T")
DEADLINE_SECONDS = 30.0


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = Path(tmp_path_factory.mktemp("stack"))
    os.environ.setdefault("TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD", uuid.uuid4().hex)
    system = Stack(
        state_dir=root,
        ports=Ports.free(),
        persistent=False,
        extra_environment={"BOOKING_SWEEP_INTERVAL_SECONDS": "1"},
    )
    try:
        system.up()
        yield system
    finally:
        system.down()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """On a failure, attach the tail of every process's log to the report."""
    report = yield
    system = item.funcargs.get("stack") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(system, Stack):
        for server in system.all_servers():
            tail = (
                "\n".join(server.log_file.read_text(errors="replace").splitlines()[-60:])
                if server.log_file.exists()
                else "(no log)"
            )
            report.sections.append((f"log of {server.name}", tail))
    return report


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, what: str, within: float = DEADLINE_SECONDS
) -> T:
    """Polls `probe` until it returns something truthy, or fails after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


@dataclass
class Api:
    http: httpx.AsyncClient
    stack: Stack

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
        return await self.login(self.stack.admin_email, self.stack.admin_password)

    async def create_show(
        self,
        *,
        rows: list[dict[str, Any]] | None = None,
        hold_seconds: int | None = None,
        prices: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Movie, theatre, hall, layout and show, created by the admin; waits until booking knows it."""
        admin = {"Authorization": f"Bearer {await self.admin_token()}"}
        suffix = uuid.uuid4().hex[:8]

        async def post(path: str, body: dict[str, Any], method: str = "POST") -> dict[str, Any]:
            response = await self.http.request(method, path, json=body, headers=admin)
            assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
            data: dict[str, Any] = response.json()
            return data

        movie = await post("/movies", {"title": f"Film {suffix}", "durationMinutes": 120})
        theatre = await post("/theatres", {"name": f"Cinema {suffix}", "city": "Pune"})
        hall = await post(f"/theatres/{theatre['id']}/halls", {"name": "Hall 1"})
        await post(
            f"/halls/{hall['id']}/seats",
            {
                "rows": rows
                or [
                    {"name": "A", "count": 10, "category": "STANDARD"},
                    {"name": "B", "count": 10, "category": "PREMIUM"},
                ]
            },
            method="PUT",
        )
        body: dict[str, Any] = {
            "movieId": movie["id"],
            "hallId": hall["id"],
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400 * 3)),
            "prices": prices or {"STANDARD": "250.00", "PREMIUM": "400.00"},
        }
        if hold_seconds is not None:
            body["holdSeconds"] = hold_seconds
        show = await post("/shows", body)

        async def booking_knows_show() -> bool:
            return (await self.http.get(f"/bookings/show/{show['id']}")).status_code == 200

        await eventually(booking_knows_show, what="booking's read model to receive the show")
        return show

    async def book(self, token: str, show_id: str, seats: list[str], **extra: Any) -> httpx.Response:
        return await self.http.post(
            "/bookings",
            json={"showId": show_id, "seats": seats, **extra},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def wait_for_status(self, token: str, booking_id: str, status: str) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            response = await self.http.get(
                f"/bookings/{booking_id}", headers={"Authorization": f"Bearer {token}"}
            )
            body: dict[str, Any] = response.json()
            return body if body.get("status") == status else None

        return await eventually(probe, what=f"booking {booking_id} to become {status}")

    async def seat_map(self, show_id: str) -> dict[str, str]:
        response = await self.http.get(f"/bookings/show/{show_id}")
        assert response.status_code == 200, response.text
        return {seat["id"]: seat["status"] for seat in response.json()["seats"]}

    async def mails_to(self, recipient: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.stack.mail.http_url) as mail:
            response = await mail.get("/api/v1/search", params={"query": f"to:{recipient}"})
            response.raise_for_status()
            messages: list[dict[str, Any]] = response.json()["messages"]
            return messages


@pytest.fixture(scope="session")
async def api(stack: Stack) -> AsyncIterator[Api]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=stack.entrypoint.url, timeout=30, limits=limits) as http:
        yield Api(http, stack)


@pytest.fixture(scope="session")
async def booking_db(stack: Stack) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(stack.postgres.dsn("booking"))
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
async def payment_db(stack: Stack) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(stack.postgres.dsn("payment"))
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
async def redis(stack: Stack) -> AsyncIterator[Redis]:
    client = Redis.from_url(stack.redis.url, decode_responses=True)
    yield client
    await client.aclose()

"""A small aiohttp client of TicketHub's public API: users and tokens, shows, bookings, seat maps."""

import asyncio
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec

PRICES = {"STANDARD": "250.00", "PREMIUM": "400.00"}
SEATS_PER_ROW = 100  # catalog's maximum per row
MAX_ROWS = 200  # catalog's maximum rows per hall


class ApiError(RuntimeError):
    """The system answered a setup call with something the benchmark cannot continue from."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any


@dataclass(frozen=True, slots=True)
class Show:
    id: str
    seats: tuple[str, ...]  # row by row, in seat-number order

    @property
    def capacity(self) -> int:
        return len(self.seats)


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking the API accepted (202), as the client was told."""

    id: str
    show_id: str
    seats: tuple[str, ...]
    amount: Decimal


def session(base_url: str, connections: int) -> aiohttp.ClientSession:
    """Keep-alive HTTP/1.1 with at most `connections` open sockets."""
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections, keepalive_timeout=60)
    return aiohttp.ClientSession(
        base_url=base_url, connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    )


def row_names(count: int) -> list[str]:
    """Equal-length row names (AA, AB, ...), so that seat ids like AA1..AA100 never collide."""
    if not 1 <= count <= MAX_ROWS:
        raise ValueError(f"a hall has 1 to {MAX_ROWS} rows")
    return [chr(65 + i // 26) + chr(65 + i % 26) for i in range(count)]


def layout(rows: int, seats_per_row: int = SEATS_PER_ROW) -> list[dict[str, Any]]:
    """Every fourth row PREMIUM, the rest STANDARD (two prices, so amounts are worth checking)."""
    if not 1 <= seats_per_row <= SEATS_PER_ROW:
        raise ValueError(f"a row has 1 to {SEATS_PER_ROW} seats")
    return [
        {"name": name, "count": seats_per_row, "category": "PREMIUM" if i % 4 == 0 else "STANDARD"}
        for i, name in enumerate(row_names(rows))
    ]


class Api:
    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http

    async def call(self, method: str, path: str, *, token: str | None = None, body: Any = None) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = msgspec.json.encode(body)
            headers["Content-Type"] = "application/json"
        async with self.http.request(method, path, data=data, headers=headers) as response:
            raw = await response.read()
            return Response(response.status, msgspec.json.decode(raw) if raw else None)

    async def expect(
        self, status: int, method: str, path: str, *, token: str | None = None, body: Any = None
    ) -> Any:
        response = await self.call(method, path, token=token, body=body)
        if response.status != status:
            raise ApiError(f"{method} {path}: {response.status} {response.body}")
        return response.body

    # -- identity ------------------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> str:
        body = await self.expect(200, "POST", "/auth/login", body={"email": email, "password": password})
        token: str = body["accessToken"]
        return token

    async def new_user_token(self) -> str:
        email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", secrets.token_urlsafe(16)
        user = {"email": email, "password": password, "name": "Bench User"}
        await self.expect(201, "POST", "/auth/register", body=user)
        return await self.login(email, password)

    async def user_tokens(self, count: int) -> list[str]:
        return list(await asyncio.gather(*(self.new_user_token() for _ in range(count))))

    # -- catalog (admin) -----------------------------------------------------------------------------

    async def create_show(self, admin: str, rows: list[dict[str, Any]], *, within_s: float = 60) -> Show:
        """Movie, theatre, hall, layout and show; returns once booking's read model has every seat."""
        suffix = uuid.uuid4().hex[:8]
        movie = await self.expect(
            201, "POST", "/movies", token=admin, body={"title": f"Bench {suffix}", "durationMinutes": 120}
        )
        theatre = await self.expect(
            201, "POST", "/theatres", token=admin, body={"name": f"Bench {suffix}", "city": "Pune"}
        )
        hall = await self.expect(
            201, "POST", f"/theatres/{theatre['id']}/halls", token=admin, body={"name": "Hall 1"}
        )
        await self.expect(200, "PUT", f"/halls/{hall['id']}/seats", token=admin, body={"rows": rows})
        starts_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86_400))
        show = await self.expect(
            201,
            "POST",
            "/shows",
            token=admin,
            body={"movieId": movie["id"], "hallId": hall["id"], "startsAt": starts_at, "prices": PRICES},
        )
        seats = tuple(f"{row['name']}{n}" for row in rows for n in range(1, row["count"] + 1))
        deadline = time.monotonic() + within_s
        while len(await self.seat_map(show["id"])) != len(seats):
            if time.monotonic() > deadline:
                raise ApiError(f"booking did not learn show {show['id']} within {within_s:.0f} s")
            await asyncio.sleep(0.2)
        return Show(id=show["id"], seats=seats)

    async def catalog_show(self, show_id: str) -> dict[str, Any]:
        body: dict[str, Any] = await self.expect(200, "GET", f"/shows/{show_id}")
        return body

    # -- booking -------------------------------------------------------------------------------------

    async def book(self, token: str, show_id: str, seats: Sequence[str]) -> Response:
        return await self.call("POST", "/bookings", token=token, body={"showId": show_id, "seats": seats})

    async def booking(self, token: str, booking_id: str) -> Response:
        return await self.call("GET", f"/bookings/{booking_id}", token=token)

    async def seat_map(self, show_id: str) -> dict[str, str]:
        """Seat id -> AVAILABLE/HELD/SOLD as booking publishes it; empty while booking lacks the show."""
        response = await self.call("GET", f"/bookings/show/{show_id}")
        if response.status == 404:
            return {}
        if response.status != 200:
            raise ApiError(f"GET /bookings/show/{show_id}: {response.status} {response.body}")
        return {seat["id"]: seat["status"] for seat in response.body["seats"]}


def booked(response: Response) -> Booked:
    body = response.body
    return Booked(
        id=body["id"], show_id=body["showId"], seats=tuple(body["seats"]), amount=Decimal(body["amount"])
    )

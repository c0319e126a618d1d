"""A stand-in for the operator's side of users, catalog and booking, over real HTTP on loopback.

It answers the operator's calls the way the services' contracts say (token endpoint, `PUT /shows/{id}`,
`POST /shows/{id}/cancel`, `GET /halls/{id}/seats`, `POST /internal/shows/{id}/sweep`), lets a test
script outages and seat counts, and remembers every call so a test can check what the operator did.
The system-wide tests drive the operator against the real services.
"""

import base64
import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tickethub.stack.ports import LOOPBACK

CLIENT_ID = "show-operator"
CLIENT_SECRET = "stand-in-secret-" + "x" * 24
THEATRE_ID = "3f1c2b7a-6a0e-4c55-9d41-1b0f8e2a7c10"
HALL_ID = "8d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f"
HALL_CATEGORIES = ("PREMIUM", "STANDARD")
MOVIE_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
_TOKEN = uuid.uuid4().hex
_SHOW_PATH = re.compile(r"^/shows/(?P<id>[^/]+)(?P<cancel>/cancel)?$")
_SWEEP_PATH = re.compile(r"^/internal/shows/(?P<id>[^/]+)/sweep$")
_HALL_PATH = re.compile(r"^/halls/(?P<id>[^/]+)/seats$")


@dataclass
class Call:
    method: str
    path: str
    body: Any
    at: float


@dataclass
class CatalogShow:
    request: dict[str, Any]
    revision: int = 1
    status: str = "SCHEDULED"


@dataclass
class ServicesState:
    """What the stand-in knows and how it misbehaves; tests change it under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    movies: dict[str, str] = field(default_factory=lambda: {MOVIE_ID: "Dune"})
    shows: dict[str, CatalogShow] = field(default_factory=dict)
    # Keyed by a show's startsAt (known before the show's uid is): catalog calls about it still answered
    # 503, and the slots taken by other shows of the hall (409).
    catalog_outages: dict[str, int] = field(default_factory=dict)
    taken_slots: set[str] = field(default_factory=set)
    seats: dict[str, dict[str, int]] = field(default_factory=dict)  # booking's counts per show id
    expiring: dict[str, int] = field(default_factory=dict)  # bookings the next sweep expires
    layout_delay_seconds: float = 0.0

    def calls_to(self, method: str, path: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method and call.path == path]


class _Handler(BaseHTTPRequestHandler):
    state: ServicesState

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def log_message(self, *_: Any) -> None:
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == "/auth/token":
            self._token(raw)
            return
        body: Any = json.loads(raw) if raw else None
        with self.state.lock:
            self.state.calls.append(Call(self.command, self.path, body, time.monotonic()))
        if (hall := _HALL_PATH.match(self.path)) and self.command == "GET":
            self._layout(hall["id"])
            return
        if self.headers.get("Authorization") != f"Bearer {_TOKEN}":
            self._problem(401, "Unauthorized", "A valid bearer token is required.")
            return
        if (show := _SHOW_PATH.match(self.path)) and self.command == "PUT":
            self._upsert(show["id"], body)
        elif show and show["cancel"] and self.command == "POST":
            self._cancel(show["id"])
        elif (sweep := _SWEEP_PATH.match(self.path)) and self.command == "POST":
            self._sweep(sweep["id"])
        else:
            self._problem(404, "Not Found", f"No route {self.command} {self.path}.")

    def _token(self, raw: bytes) -> None:
        basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != basic or raw != b"grant_type=client_credentials":
            self._send(401, {"error": "invalid_client"})
            return
        self._send(200, {"access_token": _TOKEN, "token_type": "Bearer", "expires_in": 900})

    def _upsert(self, show_id: str, request: dict[str, Any]) -> None:
        with self.state.lock:
            if self._outage(request["startsAt"]):
                return
            if request["movieId"] not in self.state.movies:
                self._problem(404, "Not Found", f"No movie {request['movieId']}.")
                return
            if request["startsAt"] in self.state.taken_slots:
                self._problem(409, "Conflict", "The show overlaps another show of the hall.")
                return
            existing = self.state.shows.get(show_id)
            if existing is None:
                show, status = CatalogShow(request), 201
                self.state.shows[show_id] = show
            else:
                show, status = existing, 200
                if show.status == "CANCELLED":
                    self._problem(409, "Conflict", "The show is cancelled.")
                    return
                if show.request != request:
                    show.request, show.revision = request, show.revision + 1
            self._send(status, self._show_out(show_id, show))

    def _cancel(self, show_id: str) -> None:
        with self.state.lock:
            show = self.state.shows.get(show_id)
            if show is None:
                self._problem(404, "Not Found", f"No show {show_id}.")
                return
            if self._outage(show.request["startsAt"]):
                return
            if show.status != "CANCELLED":
                show.status, show.revision = "CANCELLED", show.revision + 1
            self._send(202, self._show_out(show_id, show))

    def _layout(self, hall_id: str) -> None:
        time.sleep(self.state.layout_delay_seconds)
        if hall_id != HALL_ID:
            self._problem(404, "Not Found", f"No hall {hall_id}.")
            return
        self._send(200, {"hallId": HALL_ID, "seats": [], "categories": list(HALL_CATEGORIES)})

    def _sweep(self, show_id: str) -> None:
        with self.state.lock:
            seats = self.state.seats.get(show_id)
            if seats is None:
                self._problem(404, "Not Found", "Booking does not know the show yet.")
                return
            expired = self.state.expiring.pop(show_id, 0)
            self._send(200, {"showId": show_id, "expired": expired, "seats": dict(seats)})

    def _outage(self, starts_at: str) -> bool:
        remaining = self.state.catalog_outages.get(starts_at, 0)
        if remaining:
            self.state.catalog_outages[starts_at] = remaining - 1
            self._problem(503, "Service Unavailable", "Catalog is down.")
        return bool(remaining)

    def _show_out(self, show_id: str, show: CatalogShow) -> dict[str, Any]:
        request = show.request
        return {
            "id": show_id,
            "movieId": request["movieId"],
            "movieTitle": self.state.movies[request["movieId"]],
            "hallId": request["hallId"],
            "hallName": "Audi 1",
            "theatreId": THEATRE_ID,
            "theatreName": "Galaxy",
            "city": "Pune",
            "startsAt": request["startsAt"],
            "endsAt": request["startsAt"],
            "prices": request["prices"],
            "holdSeconds": request["holdSeconds"],
            "status": show.status,
            "seatCount": 24,
            "revision": show.revision,
        }

    def _problem(self, status: int, title: str, detail: str) -> None:
        self._send(status, {"type": "about:blank", "title": title, "status": status, "detail": detail})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serving(state: ServicesState) -> Iterator[str]:
    """Serves the stand-in on a free loopback port while open; yields its base URL."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

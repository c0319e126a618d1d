"""The catalog app on real PostgreSQL and Kafka, called in-process, with genuinely signed tokens.

Tokens are signed with a throw-away Ed25519 key whose JWKS is served over real HTTP on loopback, so
the app's own JwksVerifier fetches and checks them exactly as in production.
"""

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey
from litestar import Litestar

from catalog.app import create_app
from catalog.settings import Settings
from tickethub.testing import Infrastructure, client_of, migrated_database, running

ISSUER = "tickethub-users"
AUDIENCE = "tickethub"
JWKS_PATH = "/.well-known/jwks.json"


class TokenIssuer:
    """Signs tokens like the users service does (EdDSA over Ed25519, iss/aud/exp/sub)."""

    def __init__(self) -> None:
        self.key = OKPKey.generate_key("Ed25519", parameters={"kid": "test-" + uuid.uuid4().hex[:8]})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def token(
        self, role: str, *, expires_in: int = 300, audience: str = AUDIENCE, key: OKPKey | None = None
    ) -> str:
        signer = key or self.key
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "sub": str(uuid.uuid4()),
            "role": role,
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": "Ed25519", "kid": signer.kid}, claims, signer, algorithms=["Ed25519"])

    def headers(self, role: str, **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **options)}"}


@pytest.fixture(scope="session")
def issuer() -> TokenIssuer:
    return TokenIssuer()


@pytest.fixture(scope="session")
def jwks_url(issuer: TokenIssuer) -> Iterator[str]:
    body = json.dumps(issuer.jwks()).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == JWKS_PATH
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{JWKS_PATH}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def settings(infra: Infrastructure, jwks_url: str) -> Settings:
    return Settings(
        DATABASE_URL=migrated_database(infra, "catalog.store.piccolo_conf"),
        KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers,
        JWT_JWKS_URL=jwks_url,
        JWT_ISSUER=ISSUER,
        JWT_AUDIENCE=AUDIENCE,
        OTEL_SERVICE_NAME="catalog",
        CATALOG_OUTBOX_POLL_SECONDS=0.2,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    async with running(create_app(settings)) as application:
        yield application


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(app) as http:
        yield http


@pytest.fixture(scope="session")
def admin(issuer: TokenIssuer) -> dict[str, str]:
    return issuer.headers("ADMIN")


class Catalog:
    """Builds catalog entities through the public API (each test makes its own, so tests stay apart)."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin

    async def _created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def movie(self, *, duration: int = 120, title: str = "The Long Take") -> dict[str, Any]:
        return await self._created("/movies", {"title": title, "durationMinutes": duration})

    async def theatre(self, *, city: str | None = None) -> dict[str, Any]:
        city = city or "City-" + uuid.uuid4().hex[:8]
        return await self._created("/theatres", {"name": "Odeon", "city": city})

    async def hall(
        self, *, city: str | None = None, rows: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        theatre = await self.theatre(city=city)
        hall = await self._created(f"/theatres/{theatre['id']}/halls", {"name": "Hall 1"})
        rows = (
            rows
            if rows is not None
            else [
                {"name": "A", "count": 12, "category": "STANDARD"},
                {"name": "B", "count": 4, "category": "VIP"},
            ]
        )
        if rows:
            response = await self.client.put(
                f"/halls/{hall['id']}/seats", json={"rows": rows}, headers=self.admin
            )
            assert response.status_code == 200, response.text
        return {**hall, "theatre": theatre}

    def show_body(
        self, movie: dict[str, Any], hall: dict[str, Any], starts_at: datetime, **changes: Any
    ) -> dict[str, Any]:
        body = {
            "movieId": movie["id"],
            "hallId": hall["id"],
            "startsAt": starts_at.isoformat(),
            "prices": {"STANDARD": "250.00", "VIP": "400.00"},
        }
        return body | changes

    async def show(self, movie: dict[str, Any], hall: dict[str, Any], starts_at: datetime) -> dict[str, Any]:
        return await self._created("/shows", self.show_body(movie, hall, starts_at))


@pytest.fixture
def catalog(client: httpx.AsyncClient, admin: dict[str, str]) -> Catalog:
    return Catalog(client, admin)


def future(days: float = 3, *, hour: int = 18) -> datetime:
    """A start time safely in the future, on a whole hour (UTC)."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def starts_at() -> datetime:
    return future()

"""Running the users app under test, and the calls and checks its tests share."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import uvicorn
from litestar import Litestar
from litestar.types import Receive, Scope, Send

from tickethub.stack.ports import LOOPBACK
from tickethub.testing import running
from tickethub.web.errors import PROBLEM_JSON
from users.app import create_app
from users.settings import Settings

BASE_URL = "http://users.test"
JWKS_URL = f"{BASE_URL}/.well-known/jwks.json"


def asgi_client(app: Any, *, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client of the app in-process; `peer` is the address its requests come from."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


def build_app(settings: Settings) -> Litestar:
    """The app, whose token verifier fetches the JWKS from the app itself, in-process."""
    built: list[Litestar] = []

    async def same_app(scope: Scope, receive: Receive, send: Send) -> None:
        await built[0](scope, receive, send)

    app = create_app(settings, jwks_http=asgi_client(same_app))
    built.append(app)
    return app


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(settings)
    async with running(app), asgi_client(app) as client:
        yield client


@asynccontextmanager
async def serving_over_http(app: Litestar, port: int) -> AsyncIterator[str]:
    """Serves the app with uvicorn on a loopback port, in the test's loop; yields its base URL.

    uvicorn runs the app's lifespan. Its own proxy-header handling is off: the app decides alone.
    """
    config = uvicorn.Config(
        app, host=LOOPBACK, port=port, lifespan="on", proxy_headers=False, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started serving")
        await asyncio.sleep(0.01)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        await task


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid4().hex[:12]}@example.com"


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = "password-123",
    name: str = "Ann Smith",
) -> dict[str, Any]:
    response = await client.post(
        "/auth/register", json={"email": email or unique_email(), "password": password, "name": name}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: httpx.AsyncClient, email: str, password: str = "password-123") -> str:
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["accessToken"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

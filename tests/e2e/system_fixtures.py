"""Fixtures over a running system, shared by the end-to-end suites (each brings its own `stack`)."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from system import Api, bearer
from tickethub.stack.local import Ports, Stack

# Every test client logs in from the loopback address: its own per-address limit would throttle a
# suite. The per-account limit stays as configured.
_TEST_ENVIRONMENT = {"LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000"}


@contextmanager
def running_system(root: Path, *, kubernetes: bool, environment: Mapping[str, str]) -> Iterator[Stack]:
    """The whole system as `make up` starts it, on free ports with throwaway data under `root`."""
    os.environ.setdefault("TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD", uuid.uuid4().hex)
    system = Stack(
        state_dir=root,
        ports=Ports.free(),
        persistent=False,
        kubernetes=kubernetes,
        demo_catalog=kubernetes,  # the example Show books the demo catalog
        extra_environment={**_TEST_ENVIRONMENT, **environment},
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


@pytest.fixture(scope="session")
async def api(stack: Stack) -> AsyncIterator[Api]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=stack.entrypoint.url, timeout=30, limits=limits) as http:
        yield Api(http, stack.admin_email, stack.admin_password, stack.mail.http_url)


@pytest.fixture(scope="module")
async def admin(api: Api) -> dict[str, str]:
    """The bootstrap admin's Authorization header, fresh per module: tokens are short-lived."""
    return bearer(await api.admin_token())


@pytest.fixture(scope="module")
async def user(api: Api) -> dict[str, str]:
    """The Authorization header of a new USER account, one per module."""
    _, token = await api.user_token()
    return bearer(token)


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
    # Some tests restart Redis: reconnect instead of failing on a connection it closed.
    client = Redis.from_url(
        stack.redis.url,
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=3),
        retry_on_error=[RedisConnectionError],
    )
    yield client
    await client.aclose()

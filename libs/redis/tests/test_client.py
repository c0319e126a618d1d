"""The shared Redis client: works against a real server, fails fast and recognisably when none is there."""

import asyncio
import socket
import time

import pytest

import tickethub.redis
from tickethub.testing import Infrastructure


async def test_connects_and_closes_with_the_app_lifespan(infra: Infrastructure) -> None:
    client = tickethub.redis.connect(infra.redis_url)
    async with tickethub.redis.closing(client)(None):
        assert await client.set("tickethub-redis-test", "ok", ex=10)
        assert await client.get("tickethub-redis-test") == "ok"  # decoded to str by default


async def test_an_absent_server_is_a_transient_error_within_the_timeout() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = tickethub.redis.connect(f"redis://127.0.0.1:{port}/0", timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(tickethub.redis.TRANSIENT_ERRORS):
        await client.ping()
    assert time.monotonic() - started < 5  # a few quick retries, then the caller answers 503
    await client.aclose()


async def test_a_burst_beyond_the_pool_waits_for_a_connection_instead_of_failing(
    infra: Infrastructure,
) -> None:
    client = tickethub.redis.connect(infra.redis_url, max_connections=4)
    async with tickethub.redis.closing(client)(None):
        # 200 concurrent commands over 4 connections: each waits its turn, none fails.
        results = await asyncio.gather(*(client.incr("tickethub-redis-burst") for _ in range(200)))
        assert sorted(results)[-1] - sorted(results)[0] == 199

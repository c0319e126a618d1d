"""The Redis client every service uses, and the errors that mean "Redis is away" (answer 503, retry).

A connection left stale by a Redis restart is re-made at once (a few quick retries); a real outage
still fails within the timeout, so a request is answered 503 instead of hanging. Callers keep their
scripts safe to repeat, since a retried command may have run once already. The pool is bounded and
blocking: past `max_connections` busy connections a command waits (up to the timeout) for one to
come free, where redis-py's default pool would fail at once (MaxConnectionsError) under a burst.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
TIMEOUT_SECONDS = 2.0
MAX_CONNECTIONS = 100  # per process; more requests than this in flight queue for a connection


def connect(
    url: str,
    *,
    decode_responses: bool = True,
    timeout_seconds: float = TIMEOUT_SECONDS,
    max_connections: int = MAX_CONNECTIONS,
) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout_seconds,  # waiting for a free connection
        decode_responses=decode_responses,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=3),
        retry_on_error=list(TRANSIENT_ERRORS),
    )
    return Redis.from_pool(pool)  # the client owns the pool: closing it closes the connections


def closing(client: Redis) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan that closes the client's connections when the app stops."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.aclose()

    return lifespan


__all__ = ["MAX_CONNECTIONS", "TIMEOUT_SECONDS", "TRANSIENT_ERRORS", "closing", "connect"]

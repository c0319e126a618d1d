"""The Redis client every service uses, and the errors that mean "Redis is away" (answer 503, retry).

A connection left stale by a Redis restart is re-made at once (a few quick retries); a real outage
still fails within the timeout, so a request is answered 503 instead of hanging. Callers keep their
scripts safe to repeat, since a retried command may have run once already.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
TIMEOUT_SECONDS = 2.0


def connect(url: str, *, decode_responses: bool = True, timeout_seconds: float = TIMEOUT_SECONDS) -> Redis:
    return Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=3),
        retry_on_error=list(TRANSIENT_ERRORS),
    )


def closing(client: Redis) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan that closes the client's connections when the app stops."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await client.aclose()

    return lifespan


__all__ = ["TIMEOUT_SECONDS", "TRANSIENT_ERRORS", "closing", "connect"]

"""Start-up that waits for what a process depends on instead of crashing.

In a cluster every pod starts at once: a service is up before PostgreSQL accepts connections, before
the migrations Job has made its tables, before Kafka answers. Exiting then makes Kubernetes restart
it, with a back-off that grows each time; waiting (within the startup probe's patience) starts it as
soon as its dependencies are there, and a dependency that never comes still fails the start, with the
last error.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

T = TypeVar("T")
_log = logging.getLogger("tickethub.startup")


async def until_available(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    transient: tuple[type[BaseException], ...],
    patience: float,
) -> T:
    """`attempt()` until it succeeds. A `transient` error (the dependency is still starting) is tried
    again after a pause that grows to 5 s, for `patience` seconds; any other error, or the transient
    one that outlasts the patience, is raised."""

    def log_wait(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        _log.warning("waiting for %s (%.0f s so far): %s", what, state.seconds_since_start or 0, error)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(transient),
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(patience),
        before_sleep=log_wait,
        reraise=True,
    )
    result: T = await retrying(attempt)
    return result

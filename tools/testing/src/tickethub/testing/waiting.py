"""Waiting for what a test cannot see happen: poll a condition until it holds or a deadline passes."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

DEADLINE_SECONDS = 30.0
T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, within: float = DEADLINE_SECONDS
) -> T:
    """Polls `probe` until it returns something truthy, and returns that; fails naming `what` when the
    deadline passes first."""
    deadline = time.monotonic() + within
    while not (result := await probe()):
        if time.monotonic() > deadline:
            # An AssertionError, not pytest.fail (a BaseException), so it travels through asyncio.gather.
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)
    return result

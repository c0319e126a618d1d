"""Lifespans a service composes: a background task that runs while the app runs."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any


def background_task(
    name: str, run: Callable[[], Coroutine[Any, Any, None]]
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Starts `run()` with the app and cancels it (waiting for it to finish) at shutdown."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(run(), name=name)
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan

"""Runs a service's Litestar app in-process, in the test's own event loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from litestar import Litestar


@contextlib.asynccontextmanager
async def running(application: Litestar) -> AsyncIterator[Litestar]:
    """Runs the app's lifespan in a task of its own.

    The lifespan's anyio cancel scopes must be exited by the task that entered them, while
    pytest-asyncio tears a session fixture down from another task than the one that set it up.
    """
    started, stopping = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(lifespan(), name="app-lifespan")
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield application
    finally:
        stopping.set()
        await task


@contextlib.asynccontextmanager
async def client_of(application: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that calls the app in-process (no sockets, same event loop)."""
    transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]  # Litestar's ASGI types are stricter
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http

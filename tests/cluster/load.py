"""A bounded booking load through the Ingress, keeping a ledger of every answer."""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from system import Api


@dataclass
class Ledger:
    accepted: list[str] = field(default_factory=list)  # ids of the bookings answered 202
    answers: Counter[str] = field(default_factory=Counter)  # "202", "409", "502", "ConnectError", ...
    seconds: float = 0.0  # how long the load ran

    @property
    def failed(self) -> int:
        """Answers that are neither an accepted booking nor a refused seat."""
        return sum(count for answer, count in self.answers.items() if answer not in ("202", "409"))


@contextlib.asynccontextmanager
async def booking_load(api: Api, show_id: str, seats: list[str], *, clients: int) -> AsyncIterator[Ledger]:
    """`clients` buyers each book the next free seat of `seats`, one after the other, while the block
    runs; the ledger is complete once the block has ended. The block must await (run blocking calls
    in a thread) so that the buyers get to run."""
    ledger = Ledger()
    tokens = [token for _, token in await asyncio.gather(*(api.user_token() for _ in range(clients)))]
    queue = list(seats)
    stopping = asyncio.Event()

    async def buyer(token: str) -> None:
        while queue and not stopping.is_set():
            seat = queue.pop()
            try:
                response = await api.book(token, show_id, [seat])
            except httpx.TransportError as error:
                ledger.answers[type(error).__name__] += 1
                continue
            ledger.answers[str(response.status_code)] += 1
            if response.status_code == 202:
                ledger.accepted.append(response.json()["id"])

    tasks = [asyncio.create_task(buyer(token)) for token in tokens]
    started = time.monotonic()
    try:
        yield ledger
    finally:
        stopping.set()
        await asyncio.gather(*tasks)
        ledger.seconds = time.monotonic() - started

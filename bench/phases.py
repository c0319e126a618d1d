"""The API measurements: accepted bookings, rejected (409) requests, and hold -> CONFIRMED latency."""

import asyncio
import time
from collections.abc import Sequence

import asyncpg

from api import Api, Booked, Show, booked
from harness import LoadResult, Timed, drive

Ledger = dict[str, Booked]  # every booking the API accepted, by id: what the invariants check against


async def book_each_seat(
    api: Api,
    show: Show,
    tokens: Sequence[str],
    seats: Sequence[str],
    ledger: Ledger,
    *,
    concurrency: int,
    time_limit_s: float,
) -> LoadResult:
    """One POST /bookings per seat in `seats`; the user rotates over `tokens`."""

    async def op(index: int) -> str:
        response = await api.book(tokens[index % len(tokens)], show.id, [seats[index]])
        if response.status == 202:
            booking = booked(response)
            ledger[booking.id] = booking
        return str(response.status)

    return await drive(op, requests=len(seats), concurrency=concurrency, time_limit_s=time_limit_s)


async def hold_to_confirmed(
    api: Api,
    show: Show,
    tokens: Sequence[str],
    seats: Sequence[str],
    ledger: Ledger,
    *,
    seen_confirmed: set[str],
    concurrency: int,
    poll_s: float,
    timeout_s: float,
    time_limit_s: float,
) -> LoadResult:
    """Books each seat, then polls GET /bookings/{id}; latency = 202 received -> CONFIRMED seen.

    A sample that is not CONFIRMED within `timeout_s` counts as `timeout` at that latency.
    """

    async def op(index: int) -> str | Timed:
        token = tokens[index % len(tokens)]
        response = await api.book(token, show.id, [seats[index]])
        if response.status != 202:
            return str(response.status)
        booking = booked(response)
        ledger[booking.id] = booking
        accepted_at = time.perf_counter()
        while True:
            await asyncio.sleep(poll_s)
            current = await api.booking(token, booking.id)
            waited_ms = (time.perf_counter() - accepted_at) * 1000
            status = current.body.get("status") if current.status == 200 else f"http {current.status}"
            if status == "CONFIRMED":
                seen_confirmed.add(booking.id)
            if status != "PENDING":
                return Timed(str(status), waited_ms)
            if waited_ms > timeout_s * 1000:
                return Timed("timeout", waited_ms)

    return await drive(op, requests=len(seats), concurrency=concurrency, time_limit_s=time_limit_s)


async def wait_for_saga(dsn: str, show_id: str, *, timeout_s: float) -> float | None:
    """Seconds until no booking of the show is PENDING; None if some still are after `timeout_s`."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn)
    try:
        while await connection.fetchval(
            "SELECT count(*) FROM bookings WHERE show_id = $1 AND status = 'PENDING'", show_id
        ):
            if time.monotonic() - started > timeout_s:
                return None
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    return time.monotonic() - started

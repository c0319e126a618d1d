"""The sell-out race: many clients each try to book a few random free seats until the show is gone.

The clients share one view of the free seats, updated from every answer (202: those seats are gone;
409: `takenSeats` are gone), the way a live seat map would be; when it runs dry before the show is
sold out they reload the public seat map. Seats are chosen at random, so clients do collide.
"""

import asyncio
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api import Api, Show, booked
from harness import LoadResult, drive
from phases import Ledger


class SeatPool:
    """Free seats with O(1) random pick and removal."""

    def __init__(self, seats: Iterable[str]) -> None:
        self._seats: list[str] = []
        self._where: dict[str, int] = {}
        self.reset(seats)

    def reset(self, seats: Iterable[str]) -> None:
        self._seats = list(seats)
        self._where = {seat: i for i, seat in enumerate(self._seats)}

    def __len__(self) -> int:
        return len(self._seats)

    def pick(self, rng: random.Random, count: int) -> list[str]:
        return [self._seats[i] for i in rng.sample(range(len(self._seats)), count)]

    def discard(self, seat: str) -> None:
        index = self._where.pop(seat, None)
        if index is None:
            return
        last = self._seats.pop()
        if index < len(self._seats):
            self._seats[index] = last
            self._where[last] = index


@dataclass
class SelloutResult:
    capacity: int
    clients: LoadResult  # per client, from its first attempt to its booking (or giving up)
    attempts: LoadResult  # per POST /bookings
    sold_out_s: float | None = None
    seats_sold: int = 0
    seat_map_reloads: int = 0
    all_confirmed_s: float | None = None  # from the start until no booking of the show is PENDING


async def race(
    api: Api,
    show: Show,
    tokens: Sequence[str],
    ledger: Ledger,
    *,
    clients: int,
    seats_per_client: int,
    connections: int,
    time_limit_s: float,
    rng: random.Random,
) -> SelloutResult:
    pool = SeatPool(show.seats)
    attempts = LoadResult(connections)
    result = SelloutResult(capacity=show.capacity, clients=attempts, attempts=attempts)
    reload_lock = asyncio.Lock()
    started = time.perf_counter()
    stop_at = started + time_limit_s

    async def reload_seat_map() -> None:
        async with reload_lock:
            if len(pool) >= seats_per_client or result.sold_out_s is not None:
                return  # someone else reloaded meanwhile
            seat_map = await api.seat_map(show.id)
            result.seat_map_reloads += 1
            pool.reset(seat for seat, status in seat_map.items() if status == "AVAILABLE")
        if len(pool) < seats_per_client:
            await asyncio.sleep(0.02)  # the rest is in flight: wait for those answers

    async def attempt(token: str) -> bool:
        wanted = pool.pick(rng, seats_per_client)
        began = time.perf_counter()
        try:
            response = await api.book(token, show.id, wanted)
        except Exception as exc:  # counted, then retried like any other failed attempt
            attempts.record(f"error:{type(exc).__name__}", (time.perf_counter() - began) * 1000)
            return False
        attempts.record(str(response.status), (time.perf_counter() - began) * 1000)
        if response.status == 202:
            booking = booked(response)
            ledger[booking.id] = booking
            for seat in booking.seats:
                pool.discard(seat)
            result.seats_sold += len(booking.seats)
            if result.seats_sold >= show.capacity and result.sold_out_s is None:
                result.sold_out_s = time.perf_counter() - started
            return True
        if response.status == 409:
            for seat in response.body.get("takenSeats", []):
                pool.discard(seat)
        else:
            await asyncio.sleep(0.01)
        return False

    async def client(index: int) -> str:
        token = tokens[index % len(tokens)]
        while result.sold_out_s is None:
            if time.perf_counter() > stop_at:
                return "deadline"
            if len(pool) < seats_per_client:
                await reload_seat_map()
            elif await attempt(token):
                return "booked"
        return "sold out"

    result.clients = await drive(client, requests=clients, concurrency=connections, time_limit_s=time_limit_s)
    return result

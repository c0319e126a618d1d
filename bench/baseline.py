"""The bare hold path: one Redis Lua hold and one PostgreSQL INSERT per request, and nothing else.

It uses booking's own hold script (`SeatHolds`) against the stack's Redis and a scratch table in the
booking database, with a pool as large as booking's default, driven by the same harness as the API.
"""

import uuid

import asyncpg
from redis.asyncio import Redis

from booking.adapters.holds import Hold, SeatHolds
from tickethub.settings import DatabaseSettings

from harness import LoadResult, Operation, drive

SCRATCH_TABLE = "bench_bare_hold_path"
HOLD_SECONDS = 600
POOL_SIZE: int = DatabaseSettings.model_fields["database_pool_max"].default

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {SCRATCH_TABLE} (
    id         uuid PRIMARY KEY,
    show_id    varchar(64) NOT NULL,
    seat_id    varchar(16) NOT NULL,
    status     varchar(16) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
_INSERT = f"INSERT INTO {SCRATCH_TABLE} (id, show_id, seat_id, status) VALUES ($1, $2, $3, 'HELD')"  # noqa: S608


async def measure(
    *, redis_url: str, dsn: str, requests: int, warmup: int, concurrency: int, time_limit_s: float
) -> LoadResult:
    redis = Redis.from_url(redis_url, decode_responses=True)
    holds = SeatHolds(redis)
    pool = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
    show_id = f"bench-bare-{uuid.uuid4().hex[:8]}"

    def hold_and_insert(prefix: str) -> Operation:
        async def op(index: int) -> str:
            owner = uuid.uuid4()
            seat = f"{prefix}{index}"
            hold = Hold(show_id=show_id, seats=[seat], owner=str(owner), buyer=str(owner))
            if await holds.hold(hold, ttl_seconds=HOLD_SECONDS, buyer_cap=1):
                return "conflict"
            await pool.execute(_INSERT, owner, show_id, seat)
            return "ok"

        return op

    try:
        await pool.execute(_CREATE)
        await drive(hold_and_insert("W"), requests=warmup, concurrency=concurrency, time_limit_s=time_limit_s)
        return await drive(
            hold_and_insert("S"), requests=requests, concurrency=concurrency, time_limit_s=time_limit_s
        )
    finally:
        await pool.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")
        # Seat keys and the per-buyer counts: every key of the show carries its hash tag.
        keys = [key async for key in redis.scan_iter(match=f"*{{show:{show_id}}}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        await pool.close()
        await redis.aclose()

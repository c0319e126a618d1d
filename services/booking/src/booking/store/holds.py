"""Seat holds in Redis: all-or-nothing, owned, expiring — so racing buyers fail fast.

Every seat of one show hashes to one slot (`seat:{show:<id>}:<seat>`), so each script touches one
slot and works on Redis Cluster. Only the owner token may release or sell a hold (compare-and-
delete), so a losing request can never remove a winner's hold. Redis is the fast path, not the
truth: PostgreSQL's partial unique index decides when Redis forgets (restart, eviction).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from redis.asyncio import Redis

# KEYS = seat keys; ARGV[1] = owner token, ARGV[2] = TTL in ms. Returns the 1-based indexes of the
# seats held by someone else; holds nothing unless it can hold everything.
_HOLD = """
local taken = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner and owner ~= ARGV[1] then taken[#taken + 1] = i end
end
if #taken > 0 then return taken end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return taken
"""

# Deletes only the keys still owned by ARGV[1]; returns how many it deleted.
_RELEASE = """
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released
"""

# A sold seat stays taken in Redis until after its show (ARGV[3]: a Unix time in ms), so later
# buyers fail fast instead of reaching PostgreSQL; only keys still owned by ARGV[1] are changed.
_SELL = """
local sold = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('SET', key, ARGV[2], 'PXAT', ARGV[3])
    sold = sold + 1
  end
end
return sold
"""


def seat_key(show_id: str, seat_id: str) -> str:
    return f"seat:{{show:{show_id}}}:{seat_id}"


class SeatHolds:
    def __init__(self, redis: Redis) -> None:
        self._hold = redis.register_script(_HOLD)
        self._release = redis.register_script(_RELEASE)
        self._sell = redis.register_script(_SELL)

    async def hold(self, show_id: str, seats: Sequence[str], owner: str, ttl_seconds: int) -> list[str]:
        """Holds every seat for `owner`, or none; returns the seats someone else holds."""
        keys = [seat_key(show_id, seat) for seat in seats]
        taken = cast(list[int], await self._hold(keys=keys, args=[owner, ttl_seconds * 1000]))
        return [seats[index - 1] for index in taken]

    async def release(self, show_id: str, seats: Sequence[str], owner: str) -> int:
        return cast(int, await self._release(keys=[seat_key(show_id, s) for s in seats], args=[owner]))

    async def mark_sold(self, show_id: str, seats: Sequence[str], owner: str, *, until: datetime) -> int:
        keys = [seat_key(show_id, seat) for seat in seats]
        expires_ms = int(until.timestamp() * 1000)
        return cast(int, await self._sell(keys=keys, args=[owner, f"sold:{owner}", expires_ms]))

"""Seat holds in Redis: all-or-nothing, owned, expiring, capped per buyer — so racing buyers fail fast.

Every key of one show hashes to one slot (`{show:<id>}`), so each script touches one slot and works on
Redis Cluster. Only the owner token (the booking id) may release or sell a hold (compare-and-delete),
so a losing request can never remove a winner's hold. Redis is the fast path, not the truth:
PostgreSQL's partial unique index decides when Redis forgets (restart, eviction).

The per-buyer cap is counted in the same script that takes the seats, so a buyer's parallel requests
cannot together pass it: each buyer has a sorted set of `<owner>:<seat>` scored by the hold's expiry,
trimmed of expired entries on every hold and emptied of a booking's seats when they are released or
sold. If Redis forgets, the count restarts from zero: the cap is a fairness limit, not an invariant.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from redis.asyncio import Redis

from booking.domain.errors import HoldLimitReached
from booking.domain.model import BookingRecord

# KEYS = seat keys, then the buyer's key; ARGV = owner, TTL in ms, the buyer's cap, then the seat ids.
# Returns {0} when every seat is held, {1, i...} with the 1-based indexes of seats someone else holds,
# or {2, held} when the buyer already holds `held` seats of the show and these would pass the cap.
# Holds nothing unless it can hold everything.
_HOLD = """
local buyer, seats = KEYS[#KEYS], #KEYS - 1
local owner, ttl, cap = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local taken = {1}
for i = 1, seats do
  local current = redis.call('GET', KEYS[i])
  if current and current ~= owner then taken[#taken + 1] = i end
end
if #taken > 1 then return taken end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', buyer, '-inf', now)
local held, adding = redis.call('ZCARD', buyer), 0
for i = 1, seats do
  if not redis.call('ZSCORE', buyer, owner .. ':' .. ARGV[3 + i]) then adding = adding + 1 end
end
if held + adding > cap then return {2, held} end
for i = 1, seats do
  redis.call('SET', KEYS[i], owner, 'PX', ttl)
  redis.call('ZADD', buyer, now + ttl, owner .. ':' .. ARGV[3 + i])
end
if redis.call('PTTL', buyer) < ttl then redis.call('PEXPIRE', buyer, ttl) end
return {0}
"""

# KEYS = seat keys, then the buyer's key; ARGV = owner, then the seat ids. Deletes only the seat keys
# still owned by the owner; returns how many it deleted.
_RELEASE = """
local buyer, released = KEYS[#KEYS], 0
for i = 1, #KEYS - 1 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then released = released + redis.call('DEL', KEYS[i]) end
  redis.call('ZREM', buyer, ARGV[1] .. ':' .. ARGV[1 + i])
end
return released
"""

# A sold seat stays taken in Redis until after its show (ARGV[3]: a Unix time in ms), so later buyers
# fail fast instead of reaching PostgreSQL; only keys still owned by ARGV[1] are changed. A sold seat
# no longer counts as held by its buyer. ARGV[4...] = the seat ids.
_SELL = """
local buyer, sold = KEYS[#KEYS], 0
for i = 1, #KEYS - 1 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('SET', KEYS[i], ARGV[2], 'PXAT', ARGV[3])
    sold = sold + 1
  end
  redis.call('ZREM', buyer, ARGV[1] .. ':' .. ARGV[3 + i])
end
return sold
"""

# A sold booking that is cancelled gives its seats back: deletes the keys marked sold to it (ARGV[2])
# or, should the sale not have reached Redis yet, still held by it (ARGV[1]); ARGV[3...] = the seat
# ids. Deleting the hold as well keeps a late _SELL from marking a cancelled booking's seats sold.
_UNSELL = """
local buyer, released = KEYS[#KEYS], 0
for i = 1, #KEYS - 1 do
  local value = redis.call('GET', KEYS[i])
  if value == ARGV[1] or value == ARGV[2] then released = released + redis.call('DEL', KEYS[i]) end
  redis.call('ZREM', buyer, ARGV[1] .. ':' .. ARGV[2 + i])
end
return released
"""

_HELD, _TAKEN, _OVER_CAP = 0, 1, 2


def seat_key(show_id: str, seat_id: str) -> str:
    return f"seat:{{show:{show_id}}}:{seat_id}"


def buyer_key(show_id: str, buyer: str) -> str:
    return f"buyer:{{show:{show_id}}}:{buyer}"


@dataclass(frozen=True, slots=True)
class Hold:
    """Whose seats: the booking that owns them and the buyer they count against."""

    show_id: str
    seats: Sequence[str]
    owner: str
    buyer: str

    @classmethod
    def of(cls, booking: BookingRecord) -> "Hold":
        return cls(show_id=booking.show_id, seats=booking.seats, owner=booking.id, buyer=booking.user_id)

    def keys(self) -> list[str]:
        return [*(seat_key(self.show_id, seat) for seat in self.seats), buyer_key(self.show_id, self.buyer)]


class SeatHolds:
    def __init__(self, redis: Redis) -> None:
        self._hold = redis.register_script(_HOLD)
        self._release = redis.register_script(_RELEASE)
        self._sell = redis.register_script(_SELL)
        self._unsell = redis.register_script(_UNSELL)

    async def hold(self, hold: Hold, *, ttl_seconds: int, buyer_cap: int) -> list[str]:
        """Holds every seat, or none; returns the seats someone else holds.

        Raises HoldLimitReached when the buyer would hold more than `buyer_cap` seats of the show.
        """
        result = cast(
            list[int],
            await self._hold(keys=hold.keys(), args=[hold.owner, ttl_seconds * 1000, buyer_cap, *hold.seats]),
        )
        if result[0] == _OVER_CAP:
            raise HoldLimitReached(held=result[1], limit=buyer_cap)
        return [hold.seats[index - 1] for index in result[1:]]

    async def release(self, hold: Hold) -> int:
        return cast(int, await self._release(keys=hold.keys(), args=[hold.owner, *hold.seats]))

    async def mark_sold(self, hold: Hold, *, until: datetime) -> int:
        args: list[str | int] = [hold.owner, f"sold:{hold.owner}", int(until.timestamp() * 1000), *hold.seats]
        return cast(int, await self._sell(keys=hold.keys(), args=args))

    async def release_sold(self, hold: Hold) -> int:
        """Frees the seats of a sold booking that was cancelled (held or already marked sold)."""
        args = [hold.owner, f"sold:{hold.owner}", *hold.seats]
        return cast(int, await self._unsell(keys=hold.keys(), args=args))

"""Login rate limits kept in Redis, so that every replica counts the same attempts.

Two moving windows of the `limits` package, each checked and counted by one atomic Lua script:
- per client address, every attempt counts: it slows password spraying across many accounts;
- per account, an attempt counts as a failure BEFORE its password is checked, and a successful login
  clears the account's failures. Counting first is what makes the limit hold against a burst of
  concurrent guesses: checking first and counting after the ~200 ms of hashing would let a whole
  burst through.
An unknown e-mail is limited exactly like a known one, so a 429 tells nothing about who has an
account. Accounts are keyed by a digest of the normalised e-mail, so Redis holds no e-mail in clear.
"""

import hashlib
import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from users.domain.accounts import LoginLimits, TooManyLoginAttempts

KEY_PREFIX = "users:login"


def redis_storage(redis: Redis, url: str) -> RedisStorage:
    """The limits storage on `redis`'s connection pool (its timeouts and reconnect policy).

    Storage errors are raised as `limits.errors.StorageError`, which the app answers with a 503.
    """
    return RedisStorage(
        f"async+{url}",
        implementation="redispy",
        wrap_exceptions=True,
        key_prefix=KEY_PREFIX,
        # A documented option that limits' annotations (float | str | bool) do not spell out.
        connection_pool=redis.connection_pool,  # type: ignore[arg-type]
    )


class LoginThrottle:
    def __init__(self, storage: RedisStorage, limits: LoginLimits) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_address = RateLimitItemPerSecond(
            limits.attempts_per_address, limits.address_window_seconds, namespace="address"
        )
        self._per_account = RateLimitItemPerSecond(
            limits.failures_per_account, limits.account_window_seconds, namespace="account"
        )

    async def admit(self, address: str, email_normalized: str) -> None:
        """Counts this attempt; TooManyLoginAttempts when the address or the account is at its limit."""
        await self._count(self._per_address, address)
        await self._count(self._per_account, _account_key(email_normalized))

    async def succeeded(self, email_normalized: str) -> None:
        """The password was right: the account's failures are forgiven."""
        await self._limiter.clear(self._per_account, _account_key(email_normalized))

    async def _count(self, limit: RateLimitItem, key: str) -> None:
        if await self._limiter.hit(limit, key):
            return
        window = await self._limiter.get_window_stats(limit, key)  # reset_time: when a slot frees
        raise TooManyLoginAttempts(retry_after=max(1, math.ceil(window.reset_time - time.time())))


def _account_key(email_normalized: str) -> str:
    return hashlib.sha256(email_normalized.encode()).hexdigest()

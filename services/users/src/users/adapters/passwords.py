"""Password hashing with Argon2id, off the event loop, with equal work for known and unknown e-mails."""

import asyncio
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHashing:
    """Argon2id (argon2-cffi's RFC 9106 defaults) in worker threads.

    A hash costs about 200 ms of CPU and 64 MiB of memory, so the number running at once is bounded:
    a burst of logins queues instead of exhausting the pod's memory limit.
    """

    def __init__(self, hasher: PasswordHasher | None = None, *, max_concurrency: int | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(max_concurrency or os.cpu_count() or 2)
        self._dummy_hash: str | None = None

    async def prepare(self) -> str:
        """The stand-in hash unknown e-mails are checked against; computed once (at start-up)."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(32))
        return self._dummy_hash

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; `None` (no such account) costs the same and is always False."""
        if password_hash is None:
            await self._check(await self.prepare(), password)
            return False
        return await self._check(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with weaker parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    async def _check(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

"""Bounded retries, then a dead-letter topic: a poison message must not block its partition forever.

FastStream's `nack()` seeks straight back to the same record, so without a cap a message that always
fails is an endless hot loop. Failures of the infrastructure itself (a database or broker that is
down) are retried without limit, with capped backoff: dead-lettering a payment result because
PostgreSQL restarted would strand a saga, and the message will succeed once the dependency is back.
"""

import asyncio
import logging
from typing import Any

from faststream import BaseMiddleware
from faststream._internal.context.repository import ContextRepo
from faststream.message import StreamMessage

from tickethub.contracts.headers import ATTEMPTS, ERROR, ORIGIN_OFFSET, ORIGIN_PARTITION, ORIGIN_TOPIC
from tickethub.contracts.topics import DEAD_LETTER_SUFFIX

_log = logging.getLogger("tickethub.messaging.dead_letter")
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError, ConnectionError)


class DeadLetterPolicy:
    """A middleware factory whose state (attempts per record) is shared across deliveries."""

    def __init__(
        self,
        *,
        max_attempts: int,
        transient: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
        base_backoff: float = 0.1,
        max_backoff: float = 5.0,
    ) -> None:
        self.max_attempts = max_attempts
        self.transient = transient
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.attempts: dict[tuple[str, int, int], int] = {}

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> "_DeadLetterMiddleware":
        return _DeadLetterMiddleware(msg, context=context, policy=self)

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff, self.base_backoff * 2 ** (attempt - 1)))


class _DeadLetterMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: ContextRepo, policy: DeadLetterPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        record = msg.raw_message
        position = (record.topic, record.partition, record.offset)
        try:
            result = await call_next(msg)
        except Exception as exc:
            attempt = self.policy.attempts.get(position, 0) + 1
            self.policy.attempts[position] = attempt
            transient = isinstance(exc, self.policy.transient)
            if transient or attempt < self.policy.max_attempts:
                _log.warning(
                    "handling %s failed (attempt %d, %s); will retry", position, attempt, type(exc).__name__
                )
                await asyncio.sleep(self.policy.backoff(attempt))  # bounded by max_backoff
                raise  # NACK_ON_ERROR seeks back: the same record is delivered again
            self.policy.attempts.pop(position, None)
            await self._dead_letter(record, exc, attempt)
            return None  # handled: the offset is committed past the poison message
        self.policy.attempts.pop(position, None)
        return result

    async def _dead_letter(self, record: Any, exc: Exception, attempts: int) -> None:
        _log.error(
            "dead-lettering %s/%d@%d after %d attempts: %r",
            record.topic,
            record.partition,
            record.offset,
            attempts,
            exc,
        )
        headers = {key: value.decode(errors="replace") for key, value in record.headers or ()}
        headers |= {
            ORIGIN_TOPIC: record.topic,
            ORIGIN_PARTITION: str(record.partition),
            ORIGIN_OFFSET: str(record.offset),
            ERROR: f"{type(exc).__name__}: {exc}"[:500],
            ATTEMPTS: str(attempts),
        }
        broker = self.context.get("broker")
        await broker.publish(
            record.value, topic=record.topic + DEAD_LETTER_SUFFIX, key=record.key, headers=headers
        )

"""Publishes outbox rows to Kafka, oldest first, then deletes them.

Woken by PostgreSQL NOTIFY (sent by a trigger when a writer's transaction commits) and, as a safety
net, every `poll_seconds`. Rows are claimed with FOR UPDATE SKIP LOCKED so replicas share the work;
a crash between publish and delete republishes, which the consumers' inbox makes harmless.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg
from faststream.kafka import KafkaBroker
from piccolo.engine.postgres import PostgresEngine

from tickethub.contracts.headers import CONTENT_TYPE
from tickethub.outbox.table import OutboxMessage
from tickethub.telemetry import continued_trace, untraced
from tickethub.web.lifespans import background_task

NOTIFY_CHANNEL = "outbox"
_log = logging.getLogger("tickethub.outbox.relay")


class OutboxRelay:
    def __init__(
        self, engine: PostgresEngine, broker: KafkaBroker, *, batch_size: int = 200, poll_seconds: float = 1.0
    ) -> None:
        self._engine = engine
        self._broker = broker
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def publish_pending(self) -> int:
        """Publishes one batch; returns how many rows it published."""
        async with self._engine.transaction():
            rows = await (
                OutboxMessage.select()
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
                .lock_rows("UPDATE", skip_locked=True)
            )
            sends = []
            for row in rows:
                headers = row["headers"]
                if isinstance(headers, str):
                    headers = json.loads(headers)
                with continued_trace(headers):  # the task copies this context: its span joins the trace
                    sends.append(asyncio.ensure_future(self._publish(row, headers)))
            await asyncio.gather(*sends)
            if rows:
                await OutboxMessage.delete().where(OutboxMessage.id.is_in([row["id"] for row in rows]))
        return len(rows)

    async def _publish(self, row: dict[str, Any], headers: dict[str, str]) -> None:
        await self._broker.publish(
            row["payload"].encode(),
            topic=row["topic"],
            key=row["message_key"].encode(),
            headers={**headers, CONTENT_TYPE: "application/json"},
        )

    async def run(self) -> None:
        listener = await self._listen()
        backoff = self._poll_seconds
        try:
            while True:
                self._wake.clear()
                try:
                    with untraced():
                        while await self.publish_pending() == self._batch_size:
                            pass
                    backoff = self._poll_seconds
                except Exception:  # Kafka or PostgreSQL down: keep the rows, try again later
                    _log.exception("outbox relay failed; retrying in %.1fs", backoff)
                    backoff = min(backoff * 2, 30.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), backoff)
        finally:
            if listener is not None:
                await listener.close()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            connection = await asyncpg.connect(self._engine.config["dsn"])
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError):
            _log.warning("outbox relay cannot LISTEN; falling back to polling")
            return None
        return connection


def relay_lifespan(relay: OutboxRelay) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    return background_task("outbox-relay", relay.run)

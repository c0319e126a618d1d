"""The processed-message table and the decorator that makes a handler run once per message."""

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar
from uuid import UUID

from piccolo.columns import Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

R = TypeVar("R")


class InboxMessage(Table, tablename="inbox"):
    message_key = Varchar(length=255, primary_key=True)  # "<consumer>:<event id>"
    received_at = Timestamptz()


class _HasEventId(Protocol):
    event_id: UUID


async def first_delivery(consumer: str, event_id: UUID) -> bool:
    """Records the message as processed; False if it already was. Call inside the handler's transaction."""
    inserted = await (
        InboxMessage.insert(InboxMessage(message_key=f"{consumer}:{event_id}"))
        .on_conflict(action="DO NOTHING")
        .returning(InboxMessage.message_key)
    )
    return bool(inserted)


def handle_once(
    engine: PostgresEngine, consumer: str
) -> Callable[[Callable[[Any], Awaitable[R]]], Callable[[Any], Awaitable[R | None]]]:
    """Runs the handler in one transaction with the inbox check; a duplicate delivery is a no-op."""

    def decorate(handler: Callable[[Any], Awaitable[R]]) -> Callable[[Any], Awaitable[R | None]]:
        @functools.wraps(handler)
        async def once(event: _HasEventId) -> R | None:
            result: R | None = None
            async with engine.transaction():
                if await first_delivery(consumer, event.event_id):
                    result = await handler(event)
            return result

        return once

    return decorate

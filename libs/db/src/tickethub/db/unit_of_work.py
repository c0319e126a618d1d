"""The unit of work: the one transaction a use case runs in, opened where the use case reads.

Everything the use case writes inside it (its rows, the outbox events that announce them, the inbox
record of the message it handles) commits together when the block ends without an error, or not at
all. Transactions do not nest: a use case that finds one already open is a wiring mistake, and it
fails loudly instead of silently joining its caller's commit.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from piccolo.engine.postgres import PostgresEngine


class UnitOfWork:
    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """`async with uow.transaction():` — commits when the block ends, rolls back on an error."""
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self.engine.transaction(allow_nested=False):
            yield

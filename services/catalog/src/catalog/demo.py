"""`python -m catalog.demo`: adds the demo catalog (catalog.service.demo_catalog) to a database.

Usage: ``DATABASE_URL=... python -m catalog.demo`` (after the migrations). Only the database is
needed: no Kafka, no token keys. One line is printed per thing created.
"""

import asyncio

from catalog.app import create_context
from catalog.service.demo_catalog import add_demo_catalog
from catalog.store.tables import TABLES
from tickethub.db import bind_tables, make_engine
from tickethub.settings import DatabaseSettings


async def _main() -> None:
    engine = make_engine(DatabaseSettings().database_url)  # fields come from the environment
    bind_tables(engine, TABLES)
    created = await add_demo_catalog(create_context(engine))
    for line in created:
        print(line)
    if not created:
        print("the demo catalog is complete already: nothing created")


if __name__ == "__main__":
    asyncio.run(_main())

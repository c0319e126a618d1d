"""Applies a service's Piccolo migrations once (a Job or start-up step, never per replica).

Usage: ``python -m tickethub.db.migrate booking.store.piccolo_conf``
"""

import asyncio
import os
import sys


async def migrate(piccolo_conf: str) -> None:
    os.environ["PICCOLO_CONF"] = piccolo_conf
    from piccolo.apps.migrations.commands.forwards import forwards

    await forwards(app_name="all", migration_id="all", fake=False)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tickethub.db.migrate <service>.store.piccolo_conf")
    asyncio.run(migrate(sys.argv[1]))


if __name__ == "__main__":
    main()

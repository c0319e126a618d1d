"""`python -m show_operator`: runs the operator for its namespace until it is told to stop."""

import asyncio
import logging

import kopf

from show_operator.clients import open_services
from show_operator.handlers import build_registry
from show_operator.settings import Settings


def _without_routine_timer_successes(record: logging.LogRecord) -> bool:
    # Every Show's seat timer succeeds every few seconds; failures and its events still show.
    return not record.getMessage().startswith("Timer 'refresh-seats' succeeded")


async def run(settings: Settings) -> None:
    async with open_services(settings) as services:
        health = settings.health_port
        liveness = None if health is None else f"http://{settings.listen_address}:{health}/healthz"
        await kopf.operator(
            registry=build_registry(settings, services),
            namespaces=[settings.namespace],
            clusterwide=False,
            standalone=False,
            peering_name=settings.peering_name,
            priority=settings.priority,
            liveness_endpoint=liveness,
        )


def main() -> None:
    settings = Settings()
    level = settings.log_level.upper()
    # log_prefix names the Show ("[tickethub/name]") on every line about it.
    kopf.configure(debug=level == "DEBUG", quiet=level in ("WARNING", "ERROR", "CRITICAL"), log_prefix=True)
    # Both log every request at INFO: each call to a service, and each liveness probe.
    for chatty in ("httpx", "aiohttp.access"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.getLogger("kopf.objects").addFilter(_without_routine_timer_successes)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()

"""Liveness and readiness endpoints: liveness says the process runs, readiness that it can serve."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

ReadinessCheck = Callable[[], Awaitable[object]]
CHECK_TIMEOUT_SECONDS = 2.0
LIVENESS_PATH = "/livez"
READINESS_PATH = "/readyz"


async def run_checks(checks: Mapping[str, ReadinessCheck]) -> dict[str, str]:
    """Runs every check concurrently with a timeout; returns "ok" or the failure per check."""

    async def one(check: ReadinessCheck) -> str:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        except Exception as exc:  # a failing dependency must never crash the probe
            return f"failed: {type(exc).__name__}"
        return "ok"

    results = await asyncio.gather(*(one(check) for check in checks.values()))
    return dict(zip(checks, results, strict=True))


def health_handlers(checks: Mapping[str, ReadinessCheck]) -> list[HTTPRouteHandler]:
    """`/livez` and `/readyz` for Kubernetes probes (not routed through the public entrypoint)."""

    @get(LIVENESS_PATH, exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
    def livez() -> dict[str, str]:
        return {"status": "ok"}

    @get(READINESS_PATH, exclude_from_auth=True, include_in_schema=False)
    async def readyz() -> Response[dict[str, object]]:
        results = await run_checks(checks)
        ready = all(result == "ok" for result in results.values())
        return Response(
            {"status": "ok" if ready else "unavailable", "checks": results},
            status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
        )

    return [livez, readyz]

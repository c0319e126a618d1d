"""The one way a TicketHub service builds its Litestar app: errors, health, docs and telemetry."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from tickethub.settings import ProcessSettings
from tickethub.telemetry import configure_telemetry, litestar_plugin, shutdown_telemetry
from tickethub.web.errors import exception_handlers
from tickethub.web.health import ReadinessCheck, health_handlers

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


# OpenAPI security of a public route: one empty requirement. (`security=[]` inherits the bearer.)
PUBLIC: list[dict[str, list[str]]] = [{}]


def docs_path(service: str) -> str:
    """Each service's OpenAPI lives under its own prefix so one entrypoint can route them all."""
    return f"/docs/{service}"


@asynccontextmanager
async def _flush_telemetry(_: Litestar) -> AsyncIterator[None]:
    try:
        yield
    finally:
        shutdown_telemetry()


def create_service_app(
    *,
    service: str,
    settings: ProcessSettings,
    route_handlers: Sequence[ControllerRouterHandler],
    description: str,
    lifespan: Sequence[Lifespan] = (),
    readiness: Mapping[str, ReadinessCheck] | None = None,
    middleware: Sequence[DefineMiddleware] = (),
    dependencies: Mapping[str, Provide] | None = None,
    unavailable: Sequence[type[Exception]] = (),
    state: Mapping[str, Any] | None = None,
) -> Litestar:
    provider = configure_telemetry(settings)
    return Litestar(
        route_handlers=[*route_handlers, *health_handlers(readiness or {})],
        lifespan=[_flush_telemetry, *lifespan],
        middleware=list(middleware),
        exception_handlers=exception_handlers(tuple(unavailable)),
        plugins=[litestar_plugin(provider)],
        dependencies=dict(dependencies or {}),
        state=State(dict(state or {})),
        openapi_config=OpenAPIConfig(
            title=f"TicketHub {service}",
            version="1.0.0",
            description=description,
            path=docs_path(service),
            render_plugins=[SwaggerRenderPlugin(path="/")],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )

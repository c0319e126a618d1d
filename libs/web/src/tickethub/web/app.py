"""The one way a TicketHub service builds its Litestar app: errors, health, docs, telemetry and metrics."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    SecurityScheme,
)
from litestar.types import ControllerRouterHandler

from tickethub.settings import ProcessSettings
from tickethub.telemetry import configure_telemetry, litestar_plugin, shutdown_telemetry
from tickethub.web.errors import PROBLEM_JSON, exception_handlers, problem_responses
from tickethub.web.health import LIVENESS_PATH, READINESS_PATH, ReadinessCheck, health_handlers
from tickethub.web.metrics import METRICS_PATH, MetricsController
from tickethub.web.swagger import swagger_ui

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


# The one dependency a service's handlers are given: its use cases' context (see create_service_app).
CONTEXT = "context"

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
    context: object | None = None,
    unavailable: Sequence[type[Exception]] = (),
) -> Litestar:
    """`context` is what the service's use cases work with (its unit of work, stores and adapters),
    built once by the app factory; every handler that names a `context` parameter receives it."""
    telemetry = configure_telemetry(settings)
    swagger_page, swagger_files = swagger_ui(docs_path(service))
    app = Litestar(
        route_handlers=[*route_handlers, *health_handlers(readiness or {}), MetricsController, swagger_files],
        lifespan=[_flush_telemetry, *lifespan],
        middleware=list(middleware),
        exception_handlers=exception_handlers(tuple(unavailable)),
        plugins=[litestar_plugin(telemetry, unobserved=[LIVENESS_PATH, READINESS_PATH, METRICS_PATH])],
        dependencies={CONTEXT: Provide(lambda: context, sync_to_thread=False)} if context is not None else {},
        openapi_config=OpenAPIConfig(
            title=f"TicketHub {service}",
            version="1.0.0",
            description=description,
            path=docs_path(service),
            render_plugins=[swagger_page],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
    _document_validation_failures(app.openapi_schema)
    return app


def _document_validation_failures(schema: OpenAPI) -> None:
    """Litestar documents its own JSON 400 for every operation with parameters or a body. Here a value that
    fails validation is a 422 problem, and only a body that is not a JSON object a 400 problem: say so.

    Edits the app's one cached document, which is what /docs/<service>/openapi.json serves.
    """
    for path_item in (schema.paths or {}).values():
        for operation in (path_item.get, path_item.put, path_item.post, path_item.patch, path_item.delete):
            if operation is None or operation.responses is None:
                continue
            generic = operation.responses.get("400")
            if isinstance(generic, OpenAPIResponse) and PROBLEM_JSON not in (generic.content or {}):
                del operation.responses["400"]
                if operation.request_body is not None:
                    operation.responses["400"] = _problem_response(400)
                # A path parameter that does not parse matches no route (404); the others can be invalid.
                if operation.request_body is not None or any(
                    not isinstance(parameter, Reference) and parameter.param_in != "path"
                    for parameter in operation.parameters or ()
                ):
                    operation.responses.setdefault("422", _problem_response(422))
            _sort_responses(operation)


def _problem_response(status: int) -> OpenAPIResponse:
    schema = Reference(ref="#/components/schemas/ProblemDetails")
    return OpenAPIResponse(
        description=problem_responses(status)[status].description,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=schema)},
    )


def _sort_responses(operation: Operation) -> None:
    operation.responses = dict(sorted((operation.responses or {}).items()))

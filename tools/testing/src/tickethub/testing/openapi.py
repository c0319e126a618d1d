"""Is a service's OpenAPI document complete? The rules every service's API documentation keeps.

Every operation has a summary; every request body and every 2xx response body has an example (on the
media type, on the schema, or on each of its fields, as Swagger UI composes one); an operation that
needs a token documents 401 and says so in its security (a public one declares none); one with guards
documents 403; one with a path parameter 404; one with a body 400 and 422; and every error response is
problem+json. Reads the app's own document (never started: building the schema needs no server).
"""

from typing import Any

from litestar import Litestar
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from tickethub.web.app import PUBLIC
from tickethub.web.errors import PROBLEM_JSON

PROBLEM_SCHEMA = "#/components/schemas/ProblemDetails"
SELF_EXPLAINING = ("example", "examples", "enum", "const", "default")


def openapi_gaps(app: Litestar) -> list[str]:
    """What the document lacks, one line per gap (empty when complete)."""
    document = app.openapi_schema.to_schema()
    handlers = _handlers(app)
    gaps: list[str] = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            if handler := handlers.get((path, method.upper())):
                gaps += [f"{where}: {gap}" for gap in _operation_gaps(document, operation, handler)]
            else:
                gaps.append(f"{where}: no route handler serves it")
    return gaps


def assert_openapi_complete(app: Litestar) -> None:
    gaps = openapi_gaps(app)
    assert not gaps, "the OpenAPI document is incomplete:\n" + "\n".join(gaps)


def _handlers(app: Litestar) -> dict[tuple[str, str], HTTPRouteHandler]:
    """Each route handler by its documented path and method (guards and auth opt-out live here)."""
    return {
        (route.path_format, method): handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        for method in handler.http_methods
    }


def _operation_gaps(
    document: dict[str, Any], operation: dict[str, Any], handler: HTTPRouteHandler
) -> list[str]:
    responses: dict[str, Any] = operation.get("responses", {})
    documented = set(responses)
    gaps = [] if operation.get("summary") else ["no summary"]

    def needs(*statuses: str, why: str) -> None:
        gaps.extend(f"does not document {status} ({why})" for status in statuses if status not in documented)

    public = bool(handler.opt.get("exclude_from_auth"))
    if public and operation.get("security") != PUBLIC:
        gaps.append(f"is public but its security is not {PUBLIC} (it inherits the bearer requirement)")
    if not public:
        if operation.get("security") == PUBLIC:
            gaps.append("needs a token but is documented as public")
        needs("401", why="it needs a token")
    if handler.resolve_guards():
        needs("403", why="it has a role guard")
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        needs("404", why="it has a path parameter")
    if body := operation.get("requestBody"):
        # A handler with its own ValidationException handler answers bad values otherwise (RFC 6749: 400).
        own_validation = ValidationException in (handler.exception_handlers or {})
        needs("400", *(() if own_validation else ("422",)), why="it takes a body")
        gaps += [f"request body {gap}" for gap in _content_gaps(document, body.get("content", {}))]
    for status, response in sorted(responses.items()):
        if status.startswith("2"):
            gaps += [
                f"{status} response {gap}" for gap in _content_gaps(document, response.get("content", {}))
            ]
        elif status[0] in "45":
            gaps += [f"{status} response {gap}" for gap in _problem_gaps(response)]
    return gaps


def _content_gaps(document: dict[str, Any], content: dict[str, Any]) -> list[str]:
    gaps = []
    for media_type, media in content.items():
        if media.get("example") is None and not media.get("examples"):
            unexemplified = _schema_gaps(document, media.get("schema", {}), "the body", frozenset())
            gaps += [f"({media_type}) has no example for {where}" for where in unexemplified]
    return gaps


def _schema_gaps(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: frozenset[str]
) -> list[str]:
    """The places (fields) of a schema that neither have an example nor get one from their parts."""
    ref = schema.get("$ref")
    if (
        any(schema.get(key) is not None for key in SELF_EXPLAINING)
        or ref in seen
        or schema.get("type") == "null"
    ):
        return []
    if ref:
        return _schema_gaps(document, _resolve(document, ref), where, seen | {ref})
    parts: list[tuple[str, dict[str, Any]]] = [
        (where, branch) for branch in schema.get("oneOf") or schema.get("anyOf") or ()
    ]
    parts += [(f"{where}.{name}", field) for name, field in (schema.get("properties") or {}).items()]
    if items := schema.get("items"):
        parts.append((f"{where}[]", items))
    if not parts:
        return [where]
    return [gap for place, part in parts for gap in _schema_gaps(document, part, place, seen)]


def _problem_gaps(response: dict[str, Any]) -> list[str]:
    content = response.get("content", {})
    if PROBLEM_JSON not in content:
        return [f"is not {PROBLEM_JSON} (it is {', '.join(content) or 'empty'})"]
    if content[PROBLEM_JSON].get("schema", {}).get("$ref") != PROBLEM_SCHEMA:
        return ["does not use the ProblemDetails schema"]
    return []


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    resolved: dict[str, Any] = node
    return resolved

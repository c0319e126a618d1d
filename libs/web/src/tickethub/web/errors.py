"""Turns every exception into an RFC 9457 problem+json response; internals never leak."""

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from tickethub.web.problems import DomainError

PROBLEM_JSON = "application/problem+json"
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_log = logging.getLogger("tickethub.web.errors")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(exc: DomainError) -> Response[dict[str, Any]]:
    """The problem response of a domain error, for a handler that must build it without raising."""
    return problem(
        exc.status, exc.title, exc.detail, type_=exc.problem_type, headers=exc.headers, **exc.extra
    )


def _on_domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return domain_problem(exc)


def _field_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", ""))
        field = str(item.get("key", ""))
        if missing := _MISSING_FIELD.search(message):  # name the missing field with its path
            field = missing.group(1) if field in ("", "data") else f"{field}.{missing.group(1)}"
        source = item.get("source", "")
        source = str(getattr(source, "value", source))  # Litestar's ParamType members, as plain words
        if source == "header":  # Litestar names the Python parameter; the client sent a header
            field = "-".join(part.capitalize() for part in field.split("_"))
        errors.append({"field": field, "in": source, "message": message})
    return errors


def _is_malformed_body(errors: list[dict[str, str]]) -> bool:
    """The body is not a JSON object at all (empty, an array, a string), as opposed to bad values."""
    return any(
        e["in"] == "body" and e["field"] == "data" and not _MISSING_FIELD.search(e["message"]) for e in errors
    )


def _on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = _field_errors(exc)
    if _is_malformed_body(errors):
        return problem(
            HTTP_400_BAD_REQUEST,
            "Malformed request",
            "The body must be a JSON object.",
            type_="urn:tickethub:problem:malformed-request",
        )
    fields = ", ".join(sorted({e["field"] for e in errors})) or "request"
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "Invalid request",
        f"Invalid value for: {fields}.",
        type_="urn:tickethub:problem:invalid-request",
        errors=errors,
    )


def _on_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    title = exc.detail or "Error"
    if exc.status_code == HTTP_400_BAD_REQUEST:
        title = "Malformed request"
    return problem(exc.status_code, title, exc.detail, headers=exc.headers)


RETRY_AFTER_SECONDS = 2


def _on_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    _log.warning(
        "%s %s: a dependency is unavailable (%s)", request.method, request.url.path, type(exc).__name__
    )
    return problem(
        HTTP_503_SERVICE_UNAVAILABLE,
        "Service unavailable",
        "A dependency of this service is unavailable; nothing was changed. Retry shortly.",
        type_="urn:tickethub:problem:unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def exception_handlers(unavailable: tuple[type[Exception], ...] = ()) -> ExceptionHandlersMap:
    """The handlers of every service; `unavailable` are its dependencies' outage errors (-> 503)."""
    return {
        **EXCEPTION_HANDLERS,
        **dict.fromkeys((ConnectionError, TimeoutError, *unavailable), _on_unavailable),
    }


def _on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal server error",
        "The request could not be completed; it has been logged.",
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _on_domain_error,
    ValidationException: _on_validation_error,
    HTTPException: _on_http_exception,
    Exception: _on_unexpected,
}


class FieldError(msgspec.Struct):
    field: str
    message: str
    in_: str = msgspec.field(name="in")


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    """RFC 9457 body of every error response (domain errors add their own fields, e.g. takenSeats)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


_STANDARD = {
    400: "Malformed request (not JSON, or not an object)",
    401: "Missing, expired or invalid bearer token",
    403: "The token's role may not do this",
    422: "Invalid values; `errors` names each field",
}


def problem_responses(*errors: int | type[DomainError] | tuple[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem+json errors a route can answer with.

    Each error is a standard status (400, 401, 403, 422), a DomainError class, or (status, description).
    """
    responses: dict[int, ResponseSpec] = {}
    for item in errors:
        if isinstance(item, int):
            status, description = item, _STANDARD[item]
        elif isinstance(item, tuple):
            status, description = item
        else:
            status, description = item.status, item.title
        if status in responses:
            description = f"{responses[status].description}; {description}"
        responses[status] = ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_JSON,
            description=description,
            generate_examples=False,
        )
    return responses

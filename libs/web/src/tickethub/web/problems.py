"""Domain errors that become RFC 9457 problem+json responses in exactly one place.

This module imports no web framework, so domain code can raise these and stay framework-free.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """A failure the client can act on. Subclasses name it in the domain's words."""

    status: ClassVar[int] = 409
    slug: ClassVar[str] = "conflict"
    title: ClassVar[str] = "Conflict"

    def __init__(self, detail: str, *, retry_after: int | None = None, **extra: Any) -> None:
        """`extra` become members of the problem body; `retry_after` (seconds) its Retry-After header."""
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str] | None:
        return None if self.retry_after is None else {"Retry-After": str(self.retry_after)}

    @property
    def problem_type(self) -> str:
        return f"urn:tickethub:problem:{self.slug}"


class InvalidRequest(DomainError):
    status = 422
    slug = "invalid-request"
    title = "Invalid request"


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    pass


class TooManyRequests(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"

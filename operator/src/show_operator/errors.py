"""How a call to another service can fail, in the words the operator reacts to.

A refusal (a 4xx problem) is about the request: repeating it changes nothing, so it is reported and
left until the Show changes. Anything else (5xx, timeouts, refused connections) is the service being
away for now, and is retried.
"""

from typing import Any

import httpx

# Statuses that mean "not now" rather than "not this": retried like an outage.
_TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})


class ServiceError(Exception):
    """A call to `service` did not give what it should have."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class ServiceUnavailable(ServiceError):
    """The service did not answer usefully (5xx, timeout, connection error): worth retrying."""


class ServiceRejected(ServiceError):
    """The service refused the request with a problem (4xx): retrying the same request is pointless."""

    def __init__(self, service: str, status: int, title: str, detail: str | None) -> None:
        super().__init__(service, f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.title = title
        self.detail = detail

    @property
    def explanation(self) -> str:
        """The problem's most specific words: its detail, else its title."""
        return self.detail or self.title


def failure_of(service: str, response: httpx.Response) -> ServiceError:
    """The error an unsuccessful answer stands for."""
    if response.is_client_error and response.status_code not in _TRANSIENT_CLIENT_ERRORS:
        problem = _problem_body(response)
        title = problem.get("title")
        detail = problem.get("detail")
        return ServiceRejected(
            service,
            response.status_code,
            title if isinstance(title, str) and title else response.reason_phrase,
            detail if isinstance(detail, str) and detail else None,
        )
    return ServiceUnavailable(service, f"answered {response.status_code} {response.reason_phrase}")


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:  # not JSON: a proxy's HTML page, say
        return {}
    return body if isinstance(body, dict) else {}

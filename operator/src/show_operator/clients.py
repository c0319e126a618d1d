"""Calls to catalog and booking on a Show's behalf, answered in the operator's own terms.

Every failure is a `ServiceRejected` (a 4xx problem: not retried) or a `ServiceUnavailable` (5xx,
timeouts, connection errors: retried); see `show_operator.errors`.
"""

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from show_operator.errors import ServiceUnavailable, failure_of
from show_operator.model import CatalogShow, SeatCounts, Sweep
from show_operator.settings import Settings
from show_operator.tokens import ClientCredentials

CATALOG = "catalog"
BOOKING = "booking"


class ShowServices:
    """Catalog and booking, as far as the operator uses them."""

    def __init__(
        self, http: httpx.AsyncClient, *, catalog_url: str, booking_url: str, auth: httpx.Auth
    ) -> None:
        self._http = http
        self._catalog = catalog_url.rstrip("/")
        self._booking = booking_url.rstrip("/")
        self._auth = auth

    async def upsert_show(self, show_id: str, request: Mapping[str, Any]) -> CatalogShow:
        """Schedules the show under `show_id`, or changes it to match `request` (PUT /shows/{id})."""
        url = f"{self._catalog}/shows/{_segment(show_id)}"
        response = await self._send(CATALOG, "PUT", url, json=request)
        with _answer_of(CATALOG):
            show = response.json()
            return CatalogShow(
                id=str(show["id"]),
                revision=int(show["revision"]),
                created=response.status_code == httpx.codes.CREATED,
                status=str(show["status"]),
                movie_title=str(show["movieTitle"]),
                theatre_id=str(show["theatreId"]),
                theatre_name=str(show["theatreName"]),
                hall_name=str(show["hallName"]),
                starts_at=datetime.fromisoformat(show["startsAt"]),
            )

    async def cancel_show(self, show_id: str, reason: str) -> None:
        """Cancels the show in catalog; booking then cancels and refunds its bookings."""
        url = f"{self._catalog}/shows/{_segment(show_id)}/cancel"
        await self._send(CATALOG, "POST", url, json={"reason": reason})

    async def hall_categories(self, hall_id: str, *, wait_seconds: float) -> frozenset[str]:
        """The seat categories of the hall's layout (a public read, so no token is spent on it)."""
        url = f"{self._catalog}/halls/{_segment(hall_id)}/seats"
        response = await self._send(CATALOG, "GET", url, authenticated=False, wait_seconds=wait_seconds)
        with _answer_of(CATALOG):
            return frozenset(str(category) for category in response.json()["categories"])

    async def sweep(self, show_id: str) -> Sweep:
        """Expires the show's bookings whose hold ran out; booking's seat counts after it."""
        url = f"{self._booking}/internal/shows/{_segment(show_id)}/sweep"
        response = await self._send(BOOKING, "POST", url)
        with _answer_of(BOOKING):
            answer = response.json()
            seats = answer["seats"]
            return Sweep(
                expired=int(answer["expired"]),
                seats=SeatCounts(
                    total=int(seats["total"]),
                    available=int(seats["available"]),
                    held=int(seats["held"]),
                    sold=int(seats["sold"]),
                ),
            )

    async def _send(
        self,
        service: str,
        method: str,
        url: str,
        *,
        json: Mapping[str, Any] | None = None,
        authenticated: bool = True,
        wait_seconds: float | None = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method,
                url,
                json=json,
                auth=self._auth if authenticated else None,
                timeout=wait_seconds if wait_seconds is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(service, f"{method} {url} failed: {exc!r}") from exc
        if not response.is_success:
            raise failure_of(service, response)
        return response


@contextlib.asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[ShowServices]:
    """The services with one connection pool and one token for the life of the operator."""
    async with httpx.AsyncClient(timeout=settings.service_timeout_seconds) as http:
        credentials = ClientCredentials(
            http, settings.token_url, settings.client_id, settings.client_secret()
        )
        yield ShowServices(
            http, catalog_url=settings.catalog_url, booking_url=settings.booking_url, auth=credentials
        )


@contextlib.contextmanager
def _answer_of(service: str) -> Iterator[None]:
    """A successful answer that does not have the documented shape is the service misbehaving."""
    try:
        yield
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceUnavailable(service, f"unexpected answer: {exc!r}") from exc


def _segment(value: str) -> str:
    return quote(value, safe="")

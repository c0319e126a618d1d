"""The operator's bearer token: OAuth 2 client credentials (RFC 6749 §4.4) at the users service.

One token serves every call until shortly before it expires; a 401 means it was refused early (the
signing key rotated, say), so it is fetched again once and the request repeated once.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import httpx

from show_operator.errors import ServiceUnavailable

USERS = "users"
# Renew this long before expiry at the latest, so a token never expires on its way to a service.
_RENEWAL_MARGIN_SECONDS = 60.0
_RENEWAL_MARGIN_SHARE = 0.1  # ... or this share of a short token's lifetime


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float


class ClientCredentials(httpx.Auth):
    """An httpx auth that puts a client-credentials bearer token on each request."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._credentials = httpx.BasicAuth(client_id, client_secret)
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == httpx.codes.UNAUTHORIZED:
            request.headers["Authorization"] = f"Bearer {await self.token(refused=token)}"
            yield request

    async def token(self, *, refused: str | None = None) -> str:
        """A token valid for a while yet; `refused` names one a service refused, which is never reused."""
        async with self._lock:  # one fetch at a time: the callers that waited reuse its token
            cached = self._token
            if cached is None or cached.value == refused or self._clock() >= cached.renew_at:
                cached = self._token = await self._fetch()
            return cached.value

    async def _fetch(self) -> _Token:
        requested_at = self._clock()
        try:
            response = await self._http.post(
                self._token_url, data={"grant_type": "client_credentials"}, auth=self._credentials
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(USERS, f"token request failed: {exc!r}") from exc
        if response.status_code != httpx.codes.OK:
            # A refused client is a configuration problem of the operator, never of a Show: retried.
            refusal = f"token request answered {response.status_code}: {response.text[:200]}"
            raise ServiceUnavailable(USERS, refusal)
        try:
            answer = response.json()
            value, lifetime = answer["access_token"], float(answer["expires_in"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ServiceUnavailable(USERS, "token response without access_token and expires_in") from exc
        margin = min(_RENEWAL_MARGIN_SECONDS, lifetime * _RENEWAL_MARGIN_SHARE)
        return _Token(str(value), renew_at=requested_at + lifetime - margin)

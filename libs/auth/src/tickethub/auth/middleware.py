"""Litestar wiring: every route needs a verified bearer token unless it opts out, plus role guards."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, ServiceUnavailableException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp, Guard

from tickethub.auth.identity import Identity
from tickethub.auth.jwks import JwksVerifier, KeysUnavailable, TokenRejected
from tickethub.settings import AuthSettings

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tickethub"'}


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, verifier: JwksVerifier, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._verifier = verifier

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("A bearer token is required.", headers=_CHALLENGE)
        try:
            identity = await self._verifier.verify(token.strip())
        except TokenRejected as exc:
            raise NotAuthorizedException(str(exc), headers=_CHALLENGE) from exc
        except KeysUnavailable as exc:
            raise ServiceUnavailableException(str(exc), headers={"Retry-After": "5"}) from exc
        return AuthenticationResult(user=identity, auth=token)


@dataclass(frozen=True)
class BearerAuth:
    """A service's token checking: the JWKS verifier, its middleware, and a lifespan that closes it."""

    verifier: JwksVerifier

    @classmethod
    def from_settings(cls, settings: AuthSettings, *, http: httpx.AsyncClient | None = None) -> "BearerAuth":
        return cls(
            JwksVerifier(
                settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience, http=http
            )
        )

    @property
    def middleware(self) -> DefineMiddleware:
        """Routes opt out with `exclude_from_auth=True` (public reads, login, health); docs are public."""
        return DefineMiddleware(
            BearerAuthMiddleware,
            verifier=self.verifier,
            exclude=[r"^/docs/"],
            exclude_from_auth_key="exclude_from_auth",
        )

    @asynccontextmanager
    async def lifespan(self, _: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.verifier.aclose()


def requires_role(*roles: str) -> Guard:
    def guard(connection: ASGIConnection[Any, Identity, Any, Any], _: BaseRouteHandler) -> None:
        if connection.user.role not in roles:
            raise PermissionDeniedException(f"This action needs the role {' or '.join(roles)}.")

    return guard

"""Litestar wiring: every route needs a verified bearer token unless it opts out, plus role guards."""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp, Guard

from tickethub.auth.identity import Identity
from tickethub.auth.jwks import JwksVerifier, TokenRejected

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
        return AuthenticationResult(user=identity, auth=token)


def bearer_auth(verifier: JwksVerifier) -> DefineMiddleware:
    """Routes opt out with `exclude_from_auth=True` (public reads, login, health); API docs are public."""
    return DefineMiddleware(
        BearerAuthMiddleware,
        verifier=verifier,
        exclude=[r"^/docs/"],
        exclude_from_auth_key="exclude_from_auth",
    )


def requires_role(*roles: str) -> Guard:
    def guard(connection: ASGIConnection[Any, Identity, Any, Any], _: BaseRouteHandler) -> None:
        if connection.user.role not in roles:
            raise PermissionDeniedException(f"This action needs the role {' or '.join(roles)}.")

    return guard

"""Identity endpoints: thin adapters from HTTP to users' use cases."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from tickethub.auth import ADMIN, Identity, requires_role
from tickethub.web.app import PUBLIC
from tickethub.web.errors import problem_responses
from users.api.client_credentials import check_grant, client_credentials, unreadable_form
from users.api.dto import (
    AccessToken,
    AccountView,
    Credentials,
    JsonWebKeySet,
    MachineAccessToken,
    Registration,
    ServiceStatus,
    TokenRequest,
)
from users.domain.accounts import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    Role,
    TooManyLoginAttempts,
    UnknownAccount,
)
from users.domain.clients import InvalidClient
from users.service import accounts, logins, tokens
from users.service.context import UsersContext
from users.service.status import service_health

NO_STORE = CacheControlHeader(no_store=True)


async def _register(context: UsersContext, data: Registration, role: Role) -> AccountView:
    account = await accounts.register_account(
        context, email=data.email, password=data.password, name=data.name, role=role
    )
    return AccountView.of(account)


class AuthController(Controller):
    path = "/auth"
    tags = ["identity"]

    @post(
        "/register",
        exclude_from_auth=True,
        security=PUBLIC,
        status_code=HTTP_201_CREATED,
        summary="Register a user account",
        description="Creates an account with the USER role. E-mail addresses are unique regardless of case.",
        responses=problem_responses(400, 422, EmailAlreadyRegistered),
    )
    async def register(
        self, data: JSONBody[Registration], context: NamedDependency[UsersContext]
    ) -> AccountView:
        return await _register(context, data, Role.USER)

    @post(
        "/login",
        exclude_from_auth=True,
        security=PUBLIC,
        status_code=HTTP_200_OK,
        cache_control=NO_STORE,
        summary="Log in with e-mail and password",
        description="Returns a short-lived bearer token signed with a key published at "
        "/.well-known/jwks.json. An unknown e-mail and a wrong password get the same answer. Rate "
        "limited per account (failed attempts) and per client address (all attempts): 429 with "
        "Retry-After (seconds), and no password is checked.",
        responses=problem_responses(
            400,
            422,
            InvalidCredentials,
            TooManyLoginAttempts,
            (503, "The rate limits' store (Redis) is unavailable; nothing was checked"),
        ),
    )
    async def login(
        self,
        *,
        request: Request[Any, Any, Any],
        data: JSONBody[Credentials],
        context: NamedDependency[UsersContext],
    ) -> AccessToken:
        # The proxy headers middleware has put the client's address here (trusted proxies only).
        address = request.client.host if request.client else "unknown"
        return AccessToken.of(await logins.log_in(context, address, data.email, data.password))

    @post(
        "/token",
        exclude_from_auth=True,
        security=PUBLIC,
        status_code=HTTP_200_OK,
        cache_control=NO_STORE,
        exception_handlers={ValidationException: unreadable_form},
        summary="Token for a machine client (OAuth 2 client credentials)",
        description="RFC 6749 §4.4: `grant_type=client_credentials` as application/x-www-form-urlencoded, "
        "the client authenticated with HTTP Basic or `client_id` + `client_secret` in the body. The "
        "token is signed like a login's, with the client id as `sub` and `client_id` and the role the "
        "client is configured with. Errors carry the RFC's `error` code.",
        responses=problem_responses(
            (400, "invalid_request or unsupported_grant_type (RFC 6749 §5.2); `errors` names the parameter"),
            InvalidClient,
        ),
    )
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[TokenRequest, Body(media_type=RequestEncodingType.URL_ENCODED)],
        context: NamedDependency[UsersContext],
    ) -> Response[MachineAccessToken]:
        check_grant(request, data)
        client_id, secret = client_credentials(request.headers.get("authorization"), data)
        token = MachineAccessToken.of(await tokens.issue_client_token(context, client_id, secret))
        return Response(token, headers={"Pragma": "no-cache"})  # RFC 6749 §5.1, beside no-store


class AdminController(Controller):
    path = "/admin"
    tags = ["identity"]
    guards = [requires_role(ADMIN)]

    @post(
        "/register",
        status_code=HTTP_201_CREATED,
        summary="Register an admin account",
        description="Same body as /auth/register; needs an ADMIN token. The account gets the ADMIN role.",
        responses=problem_responses(400, 401, 403, 422, EmailAlreadyRegistered),
    )
    async def register_admin(
        self, data: JSONBody[Registration], context: NamedDependency[UsersContext]
    ) -> AccountView:
        return await _register(context, data, Role.ADMIN)


class UsersController(Controller):
    path = "/users"
    tags = ["identity"]

    @get(
        "/status",
        exclude_from_auth=True,
        security=PUBLIC,
        cache_control=NO_STORE,
        summary="Health of the users service",
        description="200 while the process serves; `status` is `degraded` when the database or Redis "
        "(the login rate limits) does not answer.",
    )
    async def status(self, context: NamedDependency[UsersContext]) -> ServiceStatus:
        health = await service_health(context)
        return ServiceStatus(
            service="users",
            status="ok" if health.healthy else "degraded",
            database="up" if health.database_up else "down",
            signing_key_id=health.signing_key_id,
            checks=health.checks,
        )

    @get(
        "/me",
        cache_control=NO_STORE,
        summary="The caller's account",
        responses=problem_responses(401, UnknownAccount),
    )
    async def me(
        self, request: Request[Identity, Any, Any], context: NamedDependency[UsersContext]
    ) -> AccountView:
        return AccountView.of(await accounts.own_account(context, request.user.subject))


class JwksController(Controller):
    path = "/.well-known"
    tags = ["identity"]

    @get(
        "/jwks.json",
        exclude_from_auth=True,
        security=PUBLIC,
        summary="Public keys that verify access tokens (JWKS)",
        description="Every service verifies bearer tokens with these keys. After a key rotation the "
        "previous key stays listed until the tokens it signed have expired.",
    )
    async def jwks(self, context: NamedDependency[UsersContext]) -> Response[JsonWebKeySet]:
        # Short public caching: a verifier refetches anyway when it meets an unknown kid.
        return Response(
            JsonWebKeySet(keys=tokens.published_keys(context)),
            headers={"Cache-Control": "public, max-age=300"},
        )

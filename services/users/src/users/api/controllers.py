"""Identity endpoints: thin adapters from HTTP to the account rules and the account store."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

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
from tickethub.web.health import ReadinessCheck, run_checks
from users.adapters.login_limits import LoginThrottle
from users.adapters.passwords import PasswordHashing
from users.adapters.signing_keys import SigningKeys
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
    WRONG_CREDENTIALS,
    EmailAlreadyRegistered,
    InvalidCredentials,
    Role,
    TooManyLoginAttempts,
    UnknownAccount,
    new_account,
    normalize_email,
)
from users.domain.clients import InvalidClient, MachineClients
from users.domain.tokens import TokenPolicy, access_token_claims, client_token_claims
from users.store import repository

NO_STORE = CacheControlHeader(no_store=True)


async def register_account(hashing: PasswordHashing, data: Registration, role: Role) -> AccountView:
    normalized = normalize_email(data.email)
    if await repository.email_registered(normalized):  # fail fast, before ~200 ms of hashing
        raise EmailAlreadyRegistered()
    account = await repository.add_account(
        new_account(
            account_id=uuid4(),
            email=data.email,
            name=data.name,
            role=role,
            password_hash=await hashing.hash(data.password),
            now=datetime.now(UTC),
        )
    )
    if account is None:  # registered concurrently between the check and the insert
        raise EmailAlreadyRegistered()
    return AccountView.of(account)


def issue_token(signing_keys: SigningKeys, policy: TokenPolicy, claims: dict[str, Any]) -> AccessToken:
    return AccessToken(
        access_token=signing_keys.sign(claims),
        token_type="Bearer",  # noqa: S106 - the OAuth 2 token type, not a secret
        expires_in=policy.ttl_seconds,
    )


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
        self, data: JSONBody[Registration], hashing: NamedDependency[PasswordHashing]
    ) -> AccountView:
        return await register_account(hashing, data, Role.USER)

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
        hashing: NamedDependency[PasswordHashing],
        signing_keys: NamedDependency[SigningKeys],
        token_policy: NamedDependency[TokenPolicy],
        login_throttle: NamedDependency[LoginThrottle],
    ) -> AccessToken:
        email = normalize_email(data.email)
        # The proxy headers middleware has put the client's address here (trusted proxies only).
        await login_throttle.admit(request.client.host if request.client else "unknown", email)
        stored = await repository.find_credentials(email)
        # An unknown e-mail is checked against a stand-in hash: the same work, so the same timing.
        matches = await hashing.verify(stored.password_hash if stored else None, data.password)
        if stored is None or not matches:
            raise InvalidCredentials(WRONG_CREDENTIALS)
        await login_throttle.succeeded(email)
        if hashing.needs_rehash(stored.password_hash):  # hashed with weaker parameters than today's
            new_hash = await hashing.hash(data.password)
            await repository.replace_password_hash(stored.account.id, stored.password_hash, new_hash)
        claims = access_token_claims(stored.account, token_policy, now=datetime.now(UTC), token_id=uuid4())
        return issue_token(signing_keys, token_policy, claims)

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
        machine_clients: NamedDependency[MachineClients],
        signing_keys: NamedDependency[SigningKeys],
        token_policy: NamedDependency[TokenPolicy],
    ) -> Response[MachineAccessToken]:
        check_grant(request, data)
        client_id, secret = client_credentials(request.headers.get("authorization"), data)
        client = machine_clients.authenticate(client_id, secret)
        if client is None:
            raise InvalidClient()
        claims = client_token_claims(client, token_policy, now=datetime.now(UTC), token_id=uuid4())
        token = MachineAccessToken.of(issue_token(signing_keys, token_policy, claims))
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
        self, data: JSONBody[Registration], hashing: NamedDependency[PasswordHashing]
    ) -> AccountView:
        return await register_account(hashing, data, Role.ADMIN)


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
    async def status(
        self,
        status_checks: NamedDependency[Mapping[str, ReadinessCheck]],
        signing_keys: NamedDependency[SigningKeys],
    ) -> ServiceStatus:
        checks = await run_checks(status_checks)
        return ServiceStatus(
            service="users",
            status="ok" if all(result == "ok" for result in checks.values()) else "degraded",
            database="up" if checks.get("postgres") == "ok" else "down",
            signing_key_id=signing_keys.key_id,
            checks=checks,
        )

    @get(
        "/me",
        cache_control=NO_STORE,
        summary="The caller's account",
        responses=problem_responses(401, UnknownAccount),
    )
    async def me(self, request: Request[Identity, Any, Any]) -> AccountView:
        try:
            account_id = UUID(request.user.subject)
        except ValueError:  # a token whose subject is not an account (a machine credential)
            raise UnknownAccount() from None
        account = await repository.get_account(account_id)
        if account is None:
            raise UnknownAccount()
        return AccountView.of(account)


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
    async def jwks(self, signing_keys: NamedDependency[SigningKeys]) -> Response[JsonWebKeySet]:
        # Short public caching: a verifier refetches anyway when it meets an unknown kid.
        return Response(
            JsonWebKeySet(keys=signing_keys.jwks()["keys"]),
            headers={"Cache-Control": "public, max-age=300"},
        )

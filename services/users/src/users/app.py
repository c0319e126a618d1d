"""Builds the users service: registration, login, machine tokens, the caller's account and the JWKS.

Served by `uvicorn users.app:create_app --factory`.
"""

import httpx
from limits.errors import StorageError
from litestar import Litestar
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import tickethub.redis
from tickethub.auth import BearerAuth
from tickethub.db import TRANSIENT_ERRORS, bind_tables, database_lifespan, make_engine, ping
from tickethub.web.app import create_service_app
from users.adapters.login_limits import LoginThrottle, redis_storage
from users.adapters.passwords import PasswordHashing
from users.api.controllers import AdminController, AuthController, JwksController, UsersController
from users.bootstrap import accounts_lifespan
from users.domain.tokens import TokenPolicy
from users.settings import Settings
from users.store.tables import TABLES


def create_app(settings: Settings | None = None, *, jwks_http: httpx.AsyncClient | None = None) -> Litestar:
    """`jwks_http` lets tests answer the verifier's JWKS fetch in-process (it verifies its own tokens)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    bind_tables(engine, TABLES)
    hashing = PasswordHashing()
    signing_keys = settings.signing_keys()
    token_policy = TokenPolicy(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    machine_clients = settings.machine_clients()
    redis = tickethub.redis.connect(settings.redis_url, decode_responses=False)
    login_throttle = LoginThrottle(redis_storage(redis, settings.redis_url), settings.login_limits())
    # Redis only guards logins: without it users still serves the JWKS every service needs, so it is
    # reported by /users/status but does not make the pod unready.
    readiness = {"postgres": lambda: ping(engine)}
    status_checks = {**readiness, "redis": redis.ping}
    auth = BearerAuth.from_settings(settings, http=jwks_http)

    return create_service_app(
        service="users",
        settings=settings,
        description="Identity: accounts, password login, machine clients (OAuth 2 client credentials), "
        "short-lived Ed25519-signed access tokens and the JWKS every service verifies them with.",
        route_handlers=[AuthController, AdminController, UsersController, JwksController],
        dependencies={
            "hashing": Provide(lambda: hashing, sync_to_thread=False),
            "signing_keys": Provide(lambda: signing_keys, sync_to_thread=False),
            "token_policy": Provide(lambda: token_policy, sync_to_thread=False),
            "machine_clients": Provide(lambda: machine_clients, sync_to_thread=False),
            "login_throttle": Provide(lambda: login_throttle, sync_to_thread=False),
            "status_checks": Provide(lambda: status_checks, sync_to_thread=False),
        },
        lifespan=[
            auth.lifespan,
            tickethub.redis.closing(redis),
            database_lifespan(engine, settings),
            accounts_lifespan(hashing, settings),
        ],
        unavailable=(*TRANSIENT_ERRORS, StorageError),  # PostgreSQL or Redis away: 503, nothing changed
        readiness=readiness,
        middleware=[
            # The client address the login limits count: X-Forwarded-For only from a trusted proxy.
            DefineMiddleware(
                ProxyHeadersMiddleware,  # type: ignore[arg-type]  # uvicorn spells the same ASGI types its own way
                trusted_hosts=settings.trusted_proxy_list(),
            ),
            auth.middleware,
        ],
    )

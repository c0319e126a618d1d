"""Builds the users service: registration, login, machine tokens, the caller's account and the JWKS.

Served by `uvicorn users.app:create_app --factory`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from limits.errors import StorageError
from litestar import Litestar
from litestar.middleware import DefineMiddleware
from piccolo.engine.postgres import PostgresEngine
from redis.asyncio import Redis
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import tickethub.redis
from tickethub.auth import BearerAuth
from tickethub.db import TRANSIENT_ERRORS, bind_tables, database_lifespan, make_engine, ping
from tickethub.web.app import Lifespan, create_service_app
from users.adapters.login_limits import LoginThrottle, redis_storage
from users.adapters.passwords import PasswordHashing
from users.api.controllers import AdminController, AuthController, JwksController, UsersController
from users.domain.tokens import TokenPolicy
from users.service.bootstrap import start_up
from users.service.context import UsersContext
from users.settings import Settings
from users.store.accounts import AccountStore
from users.store.piccolo_app import MIGRATED_APPS
from users.store.tables import TABLES


def create_context(settings: Settings, engine: PostgresEngine, redis: Redis) -> UsersContext:
    return UsersContext(
        accounts=AccountStore(),
        passwords=PasswordHashing(),
        signing_keys=settings.signing_keys(),
        login_throttle=LoginThrottle(redis_storage(redis, settings.redis_url), settings.login_limits()),
        token_policy=TokenPolicy(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        ),
        machine_clients=settings.machine_clients(),
        status_checks={"postgres": lambda: ping(engine), "redis": redis.ping},
        settings=settings,
    )


def create_app(settings: Settings | None = None, *, jwks_http: httpx.AsyncClient | None = None) -> Litestar:
    """`jwks_http` lets tests answer the verifier's JWKS fetch in-process (it verifies its own tokens)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    bind_tables(engine, TABLES)
    redis = tickethub.redis.connect(settings.redis_url, decode_responses=False)
    context = create_context(settings, engine, redis)
    auth = BearerAuth.from_settings(settings, http=jwks_http)

    return create_service_app(
        service="users",
        settings=settings,
        description="Identity: accounts, password login, machine clients (OAuth 2 client credentials), "
        "short-lived Ed25519-signed access tokens and the JWKS every service verifies them with.",
        route_handlers=[AuthController, AdminController, UsersController, JwksController],
        context=context,
        lifespan=[
            auth.lifespan,
            tickethub.redis.closing(redis),
            database_lifespan(engine, settings, migrated_apps=MIGRATED_APPS),
            _starting_up(context),  # after the database pool opens
        ],
        unavailable=(*TRANSIENT_ERRORS, StorageError),  # PostgreSQL or Redis away: 503, nothing changed
        # Redis only guards logins: without it users still serves the JWKS every service needs, so it is
        # reported by /users/status but does not make the pod unready.
        readiness={"postgres": context.status_checks["postgres"]},
        middleware=[
            # The client address the login limits count: X-Forwarded-For only from a trusted proxy.
            DefineMiddleware(
                ProxyHeadersMiddleware,  # type: ignore[arg-type]  # uvicorn spells the same ASGI types its own way
                trusted_hosts=settings.trusted_proxy_list(),
            ),
            auth.middleware,
        ],
    )


def _starting_up(context: UsersContext) -> Lifespan:
    """The start-up step as a lifespan: it runs once, before the app serves its first request."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await start_up(context)
        yield

    return lifespan

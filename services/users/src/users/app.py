"""Builds the users service: registration, login, the caller's account and the JWKS.

Served by `uvicorn users.app:create_app --factory`.
"""

import httpx
from litestar import Litestar
from litestar.di import Provide

from tickethub.auth import BearerAuth
from tickethub.db import TRANSIENT_ERRORS, bind_tables, database_lifespan, make_engine, ping
from tickethub.web.app import create_service_app
from users.api.controllers import AdminController, AuthController, JwksController, UsersController
from users.bootstrap import accounts_lifespan
from users.domain.passwords import PasswordHashing
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
    readiness = {"postgres": lambda: ping(engine)}
    auth = BearerAuth.from_settings(settings, http=jwks_http)

    return create_service_app(
        service="users",
        settings=settings,
        description="Identity: accounts, password login, short-lived Ed25519-signed access tokens and "
        "the JWKS every service verifies them with.",
        route_handlers=[AuthController, AdminController, UsersController, JwksController],
        dependencies={
            "hashing": Provide(lambda: hashing, sync_to_thread=False),
            "signing_keys": Provide(lambda: signing_keys, sync_to_thread=False),
            "token_policy": Provide(lambda: token_policy, sync_to_thread=False),
            "readiness": Provide(lambda: readiness, sync_to_thread=False),
        },
        lifespan=[auth.lifespan, database_lifespan(engine, settings), accounts_lifespan(hashing, settings)],
        unavailable=TRANSIENT_ERRORS,  # PostgreSQL away: 503, nothing changed
        readiness=readiness,
        middleware=[auth.middleware],
    )

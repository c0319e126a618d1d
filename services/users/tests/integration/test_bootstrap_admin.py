"""The first admin comes from the environment, exactly once, however many replicas start."""

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from users.app import create_context
from users.service.bootstrap import ensure_bootstrap_admin
from users.settings import Settings
from users.store.tables import UserAccount

pytestmark = pytest.mark.integration

RunApp = Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]


async def _accounts(database_url: str, email: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetch("SELECT id, role FROM users WHERE email_normalized = $1", email.lower())
    finally:
        await connection.close()


async def _start_and_stop(run_app: RunApp, settings: Settings) -> None:
    async with run_app(settings):
        pass


async def test_the_bootstrap_admin_is_created_once_even_by_concurrent_start_ups(
    run_app: RunApp, make_settings: Callable[..., Settings], fresh_database: str, redis: Redis
) -> None:
    email, password = "First.Admin@TicketHub.test", "first-admin-password"
    settings = make_settings(
        DATABASE_URL=fresh_database,
        TICKETHUB_BOOTSTRAP_ADMIN_EMAIL=email,
        TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD=password,
    )
    # Replicas race on the database, not in one process: race the start-up step itself on one pool
    # (two apps in one process would share Piccolo's process-wide table binding).
    started = make_settings(DATABASE_URL=fresh_database)
    async with run_app(started):
        context = create_context(started, UserAccount._meta.db, redis)
        await context.passwords.prepare()
        created = await asyncio.gather(
            *(ensure_bootstrap_admin(context, email, password, "Administrator") for _ in range(4))
        )
    assert sorted(created) == [False, False, False, True]
    await _start_and_stop(run_app, settings)  # and a restart with the variables set

    rows = await _accounts(fresh_database, email)
    assert [row["role"] for row in rows] == ["ADMIN"]
    async with run_app(settings) as client:
        response = await client.post("/auth/login", json={"email": email.lower(), "password": password})
        assert response.status_code == 200
        me = await client.get(
            "/users/me", headers={"Authorization": f"Bearer {response.json()['accessToken']}"}
        )
        assert (me.json()["id"], me.json()["role"]) == (str(rows[0]["id"]), "ADMIN")


async def test_a_restart_with_another_password_does_not_reset_the_admin(
    run_app: RunApp, make_settings: Callable[..., Settings], fresh_database: str
) -> None:
    email = "stable.admin@tickethub.test"
    first = make_settings(
        DATABASE_URL=fresh_database,
        TICKETHUB_BOOTSTRAP_ADMIN_EMAIL=email,
        TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD="original-pass",
    )
    changed = make_settings(
        DATABASE_URL=fresh_database,
        TICKETHUB_BOOTSTRAP_ADMIN_EMAIL=email,
        TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD="changed-pass",
    )
    await _start_and_stop(run_app, first)
    async with run_app(changed) as client:
        old = await client.post("/auth/login", json={"email": email, "password": "original-pass"})
        new = await client.post("/auth/login", json={"email": email, "password": "changed-pass"})
    assert (old.status_code, new.status_code) == (200, 401)


async def test_an_existing_user_account_is_never_promoted(
    run_app: RunApp, make_settings: Callable[..., Settings], fresh_database: str
) -> None:
    email = "squatter@tickethub.test"
    async with run_app(make_settings(DATABASE_URL=fresh_database)) as client:
        response = await client.post(
            "/auth/register", json={"email": email, "password": "squatters-pass", "name": "Squatter"}
        )
        assert response.status_code == 201
    await _start_and_stop(
        run_app,
        make_settings(
            DATABASE_URL=fresh_database,
            TICKETHUB_BOOTSTRAP_ADMIN_EMAIL=email,
            TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD="admin-pass",
        ),
    )
    assert [row["role"] for row in await _accounts(fresh_database, email)] == ["USER"]


async def test_without_bootstrap_variables_no_admin_is_created(
    run_app: RunApp, make_settings: Callable[..., Settings], fresh_database: str
) -> None:
    settings = make_settings(
        DATABASE_URL=fresh_database,
        TICKETHUB_BOOTSTRAP_ADMIN_EMAIL=None,
        TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD=None,
    )
    await _start_and_stop(run_app, settings)
    connection = await asyncpg.connect(fresh_database)
    try:
        assert await connection.fetchval("SELECT count(*) FROM users") == 0
    finally:
        await connection.close()

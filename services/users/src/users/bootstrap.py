"""Start-up step: the first admin account, from the environment (there is no default admin in code).

Idempotent and safe when replicas start together: an existing account is left untouched and the
insert does nothing on an e-mail conflict. An existing USER account with that e-mail is NOT
promoted: whoever registered it first chose its password.
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from users.adapters.passwords import PasswordHashing
from users.domain.accounts import Role, new_account, normalize_email
from users.settings import Settings
from users.store import repository

_log = logging.getLogger("users.bootstrap")


async def ensure_bootstrap_admin(hashing: PasswordHashing, email: str, password: str, name: str) -> bool:
    """Creates the admin unless the e-mail is registered; True when this call created it."""
    normalized = normalize_email(email)
    existing = await repository.find_credentials(normalized)
    if existing is not None:
        if existing.account.role is not Role.ADMIN:
            _log.warning(
                "bootstrap admin e-mail belongs to a %s account; not promoting it", existing.account.role
            )
        return False
    created = await repository.add_account(
        new_account(
            account_id=uuid4(),
            email=email,
            name=name,
            role=Role.ADMIN,
            password_hash=await hashing.hash(password),
            now=datetime.now(UTC),
        )
    )
    if created is not None:
        _log.info("bootstrap admin account created")
    return created is not None


def accounts_lifespan(
    hashing: PasswordHashing, settings: Settings
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Prepares password checks, then ensures the bootstrap admin (runs after the database pool opens)."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        await hashing.prepare()
        email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
        if email is not None and password is not None:
            await ensure_bootstrap_admin(
                hashing, email, password.get_secret_value(), settings.bootstrap_admin_name
            )
        yield

    return lifespan

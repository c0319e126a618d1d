"""Start-up step: the first admin account, from the environment (there is no default admin in code).

Idempotent and safe when replicas start together: an existing account is left untouched and the
insert does nothing on an e-mail conflict. An existing USER account with that e-mail is NOT
promoted: whoever registered it first chose its password.
"""

import logging

from users.domain.accounts import Role, normalize_email
from users.service.accounts import add_account
from users.service.context import UsersContext

_log = logging.getLogger("users.bootstrap")


async def ensure_bootstrap_admin(context: UsersContext, email: str, password: str, name: str) -> bool:
    """Creates the admin unless the e-mail is registered; True when this call created it."""
    existing = await context.accounts.find_credentials(normalize_email(email))
    if existing is not None:
        if existing.account.role is not Role.ADMIN:
            _log.warning(
                "bootstrap admin e-mail belongs to a %s account; not promoting it", existing.account.role
            )
        return False
    created = await add_account(context, email=email, password=password, name=name, role=Role.ADMIN)
    if created is not None:
        _log.info("bootstrap admin account created")
    return created is not None


async def start_up(context: UsersContext) -> None:
    """Prepares password checks, then ensures the bootstrap admin (runs after the database pool opens)."""
    await context.passwords.prepare()
    settings = context.settings
    email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
    if email is not None and password is not None:
        await ensure_bootstrap_admin(
            context, email, password.get_secret_value(), settings.bootstrap_admin_name
        )

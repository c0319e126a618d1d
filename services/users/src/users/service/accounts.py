"""Accounts: registering a user or an admin, and the caller's own account."""

from tickethub.kernel import new_id, parse_id
from users.domain.accounts import (
    Account,
    EmailAlreadyRegistered,
    Role,
    UnknownAccount,
    new_account,
    normalize_email,
)
from users.service.context import UsersContext


async def register_account(
    context: UsersContext, *, email: str, password: str, name: str, role: Role
) -> Account:
    """The new account; EmailAlreadyRegistered when an account has the e-mail already (in any case)."""
    # Fail fast, before ~200 ms of hashing.
    if await context.accounts.email_registered(normalize_email(email)):
        raise EmailAlreadyRegistered()
    account = await add_account(context, email=email, password=password, name=name, role=role)
    if account is None:  # registered concurrently between the check and the insert
        raise EmailAlreadyRegistered()
    return account


async def add_account(
    context: UsersContext, *, email: str, password: str, name: str, role: Role
) -> Account | None:
    """Hashes the password and inserts the account; None when the e-mail is registered already."""
    return await context.accounts.add(
        new_account(
            account_id=new_id(),
            email=email,
            name=name,
            role=role,
            password_hash=await context.passwords.hash(password),
            now=context.clock(),
        )
    )


async def own_account(context: UsersContext, subject: str) -> Account:
    """The account a token's subject names; UnknownAccount when there is none, as when the subject is
    no account id at all (a machine client's token)."""
    account_id = parse_id(subject)
    account = await context.accounts.get(account_id) if account_id else None
    if account is None:
        raise UnknownAccount()
    return account

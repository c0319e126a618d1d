"""Accounts in PostgreSQL: all database access of the users service."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from users.domain.accounts import Account, NewAccount, Role
from users.store.tables import UserAccount

_ACCOUNT_COLUMNS = (UserAccount.id, UserAccount.email, UserAccount.name, UserAccount.role)


@dataclass(frozen=True, slots=True)
class StoredCredentials:
    account: Account
    password_hash: str


def _account(row: dict[str, Any]) -> Account:
    return Account(id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]))


class AccountStore:
    async def add(self, account: NewAccount) -> Account | None:
        """Inserts the account; None when its e-mail is registered already (also by a concurrent insert)."""
        rows = await (
            UserAccount.insert(
                UserAccount(
                    id=account.id,
                    email=account.email,
                    email_normalized=account.email_normalized,
                    name=account.name,
                    password_hash=account.password_hash,
                    role=account.role.value,
                    created_at=account.created_at,
                )
            )
            .on_conflict(target=UserAccount.email_normalized, action="DO NOTHING")
            .returning(*_ACCOUNT_COLUMNS)
        )
        return _account(rows[0]) if rows else None

    async def email_registered(self, email_normalized: str) -> bool:
        return bool(await UserAccount.exists().where(UserAccount.email_normalized == email_normalized))

    async def find_credentials(self, email_normalized: str) -> StoredCredentials | None:
        row = await (
            UserAccount.select(*_ACCOUNT_COLUMNS, UserAccount.password_hash)
            .where(UserAccount.email_normalized == email_normalized)
            .first()
        )
        if row is None:
            return None
        return StoredCredentials(account=_account(row), password_hash=row["password_hash"])

    async def get(self, account_id: UUID) -> Account | None:
        row = await UserAccount.select(*_ACCOUNT_COLUMNS).where(UserAccount.id == account_id).first()
        return _account(row) if row else None

    async def replace_password_hash(self, account_id: UUID, old_hash: str, new_hash: str) -> None:
        """Upgrades a hash made with older parameters; a concurrent password change wins over it."""
        await UserAccount.update({UserAccount.password_hash: new_hash}).where(
            (UserAccount.id == account_id) & (UserAccount.password_hash == old_hash)
        )

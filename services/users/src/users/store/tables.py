"""Piccolo tables of the users service (their DDL lives in this package's SQL migrations)."""

from piccolo.columns import UUID, Text, Timestamptz
from piccolo.table import Table


class UserAccount(Table, tablename="users"):
    id = UUID(primary_key=True)
    email = Text()  # as the user typed it, shown back to them
    email_normalized = Text(unique=True)  # what uniqueness and login compare
    name = Text()
    password_hash = Text()  # Argon2id PHC string; never leaves this service
    role = Text()
    created_at = Timestamptz()


TABLES: list[type[Table]] = [UserAccount]

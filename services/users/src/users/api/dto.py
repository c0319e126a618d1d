"""Request and response bodies of the users API; constraints here make bad values a 422 naming the field."""

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from users.domain.accounts import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    Account,
    Role,
)

Email = Annotated[
    str,
    Meta(
        max_length=EMAIL_MAX_LENGTH,
        pattern=EMAIL_PATTERN,
        description="e-mail address, unique regardless of case",
        examples=["ann@example.com"],
    ),
]
NewPassword = Annotated[
    str,
    Meta(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        description=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters",
    ),
]
Name = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        pattern=NAME_PATTERN,
        description="display name",
        examples=["Ann Smith"],
    ),
]


class Registration(Struct, rename="camel"):
    email: Email
    password: NewPassword
    name: Name

    def __repr__(self) -> str:  # the password must never reach a log line
        return f"Registration(email={self.email!r}, name={self.name!r})"


class Credentials(Struct, rename="camel"):
    email: Annotated[str, Meta(max_length=EMAIL_MAX_LENGTH, description="e-mail address (any case)")]
    password: Annotated[str, Meta(max_length=PASSWORD_MAX_LENGTH)]

    def __repr__(self) -> str:
        return f"Credentials(email={self.email!r})"


class AccountView(Struct, rename="camel"):
    id: str
    email: str
    name: str
    role: Role

    @classmethod
    def of(cls, account: Account) -> "AccountView":
        return cls(id=str(account.id), email=account.email, name=account.name, role=account.role)


class AccessToken(Struct, rename="camel"):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, Meta(description="seconds until the token expires")]


class ServiceStatus(Struct, rename="camel"):
    service: str
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    signing_key_id: Annotated[str, Meta(description="kid of the key that signs new tokens")]
    checks: dict[str, str]


class JsonWebKeySet(Struct):
    keys: list[dict[str, Any]]

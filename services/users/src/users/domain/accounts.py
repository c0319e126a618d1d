"""Accounts: who may register, how e-mail addresses compare, and the errors the client sees."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tickethub.web.problems import Conflict, InvalidRequest, NotFound, TooManyRequests, Unauthenticated

EMAIL_MAX_LENGTH = 254  # the longest address SMTP can carry (RFC 5321 path limit)
# Deliberately loose: one "@", no whitespace, a dotted domain. Deliverability is proven by mail, not regex.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # bounds the work an anonymous caller can make the hasher do
NAME_MAX_LENGTH = 100
NAME_PATTERN = r"\S"  # at least one visible character

_EMAIL = re.compile(EMAIL_PATTERN)


class Role(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"


@dataclass(frozen=True, slots=True)
class Account:
    id: UUID
    email: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class NewAccount:
    id: UUID
    email: str
    email_normalized: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime


class EmailAlreadyRegistered(Conflict):
    slug = "email-taken"
    title = "E-mail already registered"

    def __init__(self) -> None:
        super().__init__("An account with this e-mail already exists.", field="email")


class InvalidCredentials(Unauthenticated):
    slug = "invalid-credentials"
    title = "Wrong e-mail or password"


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How many failed logins an account, and how many logins an address, may have per moving window."""

    failures_per_account: int
    account_window_seconds: int
    attempts_per_address: int
    address_window_seconds: int


class TooManyLoginAttempts(TooManyRequests):
    slug = "too-many-login-attempts"
    title = "Too many login attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many login attempts; retry in {retry_after} s. No password was checked.",
            retry_after=retry_after,
        )


class UnknownAccount(NotFound):
    slug = "unknown-account"
    title = "Unknown account"

    def __init__(self) -> None:
        super().__init__("No account belongs to this token.")


# One message for an unknown e-mail and a wrong password, so a response never says which accounts exist.
WRONG_CREDENTIALS = "The e-mail or password is wrong."


def normalize_email(email: str) -> str:
    """The form two addresses are compared in: Unicode NFC, surrounding spaces dropped, lower case.

    The local part is case-sensitive in theory (RFC 5321) but no real mailbox provider treats it so,
    and letting `Ann@x.io` and `ann@x.io` be two accounts invites impersonation.
    """
    return unicodedata.normalize("NFC", email.strip()).lower()


def check_registration(email: str, password: str, name: str) -> None:
    """The same rules the HTTP request schema enforces, for accounts created by other paths (bootstrap)."""
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
        raise InvalidRequest("Invalid value for: email.", field="email")
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidRequest(
            f"Invalid value for: password ({PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters).",
            field="password",
        )
    if not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise InvalidRequest("Invalid value for: name.", field="name")


def new_account(
    *, account_id: UUID, email: str, name: str, role: Role, password_hash: str, now: datetime
) -> NewAccount:
    return NewAccount(
        id=account_id,
        email=email.strip(),
        email_normalized=normalize_email(email),
        name=name.strip(),
        role=role,
        password_hash=password_hash,
        created_at=now,
    )

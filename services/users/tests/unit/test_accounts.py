"""Account rules: e-mail normalisation and the registration checks shared with the bootstrap admin."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from tickethub.web.problems import InvalidRequest
from users.domain.accounts import Role, check_registration, new_account, normalize_email


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("ann@example.com", "ann@example.com"),
        ("Ann.Smith@Example.COM", "ann.smith@example.com"),
        ("  ann@example.com\t", "ann@example.com"),
        ("Zo\u0065\u0301@example.com", "zo\u00e9@example.com"),  # decomposed é equals composed é
    ],
)
def test_normalize_email_compares_case_and_form_insensitively(given: str, normalized: str) -> None:
    assert normalize_email(given) == normalized


def test_addresses_differing_only_in_case_normalize_alike() -> None:
    assert normalize_email("ANN@EXAMPLE.COM") == normalize_email("ann@example.com")


def test_new_account_keeps_the_typed_email_and_strips_the_name() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    account_id = UUID(int=7)
    account = new_account(
        account_id=account_id,
        email=" Ann@Example.com ",
        name="  Ann  ",
        role=Role.USER,
        password_hash="$argon2id$...",
        now=now,
    )
    assert (
        account.id,
        account.email,
        account.email_normalized,
        account.name,
        account.role,
        account.created_at,
    ) == (
        account_id,
        "Ann@Example.com",
        "ann@example.com",
        "Ann",
        Role.USER,
        now,
    )


def test_valid_registration_passes() -> None:
    check_registration("ann@example.com", "x" * 8, "Ann")
    check_registration("ann@example.com", "x" * 128, "A" * 100)


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("not-an-email", "password1", "Ann", "email"),
        ("ann@localhost", "password1", "Ann", "email"),
        ("ann smith@example.com", "password1", "Ann", "email"),
        ("a@" + "b" * 250 + ".com", "password1", "Ann", "email"),
        ("ann@example.com", "short", "Ann", "password"),
        ("ann@example.com", "x" * 7, "Ann", "password"),
        ("ann@example.com", "x" * 129, "Ann", "password"),
        ("ann@example.com", "password1", "", "name"),
        ("ann@example.com", "password1", "   ", "name"),
        ("ann@example.com", "password1", "A" * 101, "name"),
    ],
)
def test_invalid_registration_names_the_field(email: str, password: str, name: str, field: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        check_registration(email, password, name)
    assert raised.value.extra["field"] == field
    assert field in raised.value.detail

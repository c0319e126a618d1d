"""Start-up configuration: no signing key or a half-configured bootstrap admin stops the service."""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from users.keys import generate_signing_key
from users.settings import Settings

REQUIRED = {
    "DATABASE_URL": "postgresql://db/users",
    "JWT_JWKS_URL": "http://users:8000/.well-known/jwks.json",
}
OWN_VARIABLES = [
    "JWT_SIGNING_KEY",
    "JWT_SIGNING_KEY_FILE",
    "JWT_PREVIOUS_PUBLIC_KEYS",
    "ACCESS_TOKEN_TTL_SECONDS",
    "TICKETHUB_BOOTSTRAP_ADMIN_EMAIL",
    "TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD",
    "TICKETHUB_BOOTSTRAP_ADMIN_NAME",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OWN_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _settings(**values: Any) -> Settings:
    return Settings(**REQUIRED, **values)


def _key_json() -> str:
    return json.dumps(generate_signing_key().as_dict(private=True))


def test_without_a_signing_key_the_service_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="no signing key configured: set JWT_SIGNING_KEY"):
        _settings()


def test_the_signing_key_comes_from_the_variable() -> None:
    key = _key_json()
    settings = _settings(JWT_SIGNING_KEY=key)
    assert settings.signing_keys().key_id == json.loads(key)["kid"]
    assert key not in repr(settings)  # the secret never reaches a log line


def test_the_signing_key_comes_from_a_mounted_file(tmp_path: Path) -> None:
    key = _key_json()
    (tmp_path / "jwk.json").write_text(key)
    settings = _settings(JWT_SIGNING_KEY_FILE=str(tmp_path / "jwk.json"))
    assert settings.signing_keys().key_id == json.loads(key)["kid"]


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        _settings(JWT_SIGNING_KEY_FILE=str(tmp_path / "absent.json"))


def test_a_malformed_signing_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="signing key"):
        _settings(JWT_SIGNING_KEY='{"kty": "oct", "k": "c2VjcmV0"}')


def test_defaults() -> None:
    settings = _settings(JWT_SIGNING_KEY=_key_json())
    assert (settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl_seconds) == (
        "tickethub-users",
        "tickethub",
        900,
    )
    assert settings.bootstrap_admin_email is None  # no default admin


def test_bootstrap_admin_needs_both_email_and_password() -> None:
    with pytest.raises(ValidationError, match="TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD"):
        _settings(JWT_SIGNING_KEY=_key_json(), TICKETHUB_BOOTSTRAP_ADMIN_EMAIL="admin@example.com")


def test_bootstrap_admin_follows_the_registration_rules() -> None:
    with pytest.raises(ValidationError, match="password"):
        _settings(
            JWT_SIGNING_KEY=_key_json(),
            TICKETHUB_BOOTSTRAP_ADMIN_EMAIL="admin@example.com",
            TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD="short",
        )


def test_blank_optional_variables_count_as_unset(tmp_path: Path) -> None:
    (tmp_path / "jwk.json").write_text(_key_json())
    settings = _settings(
        JWT_SIGNING_KEY="",
        JWT_SIGNING_KEY_FILE=str(tmp_path / "jwk.json"),
        TICKETHUB_BOOTSTRAP_ADMIN_EMAIL="",
        TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD=" ",
    )
    assert settings.signing_key is None
    assert settings.bootstrap_admin_email is None


def test_start_up_errors_do_not_print_secrets() -> None:
    with pytest.raises(ValidationError) as raised:
        _settings(
            JWT_SIGNING_KEY=_key_json(),
            TICKETHUB_BOOTSTRAP_ADMIN_EMAIL="admin@example.com",
            TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD="tiny",
        )
    assert "tiny" not in str(raised.value)
    assert '"d"' not in str(raised.value)


def test_settings_stay_frozen() -> None:
    settings = _settings(JWT_SIGNING_KEY=_key_json())
    with pytest.raises(ValidationError):
        settings.access_token_ttl_seconds = 5

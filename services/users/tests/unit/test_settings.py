"""Start-up configuration: no signing key, Redis, or a half-configured admin or client stops the service."""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from users.adapters.signing_keys import generate_signing_key
from users.domain.accounts import LoginLimits
from users.settings import Settings

REQUIRED = {
    "DATABASE_URL": "postgresql://db/users",
    "REDIS_URL": "redis://redis:6379/0",
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
    "OAUTH_CLIENTS",
    "OAUTH_CLIENTS_FILE",
    "LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "LOGIN_ACCOUNT_WINDOW_SECONDS",
    "LOGIN_MAX_ATTEMPTS_PER_ADDRESS",
    "LOGIN_ADDRESS_WINDOW_SECONDS",
    "FORWARDED_ALLOW_IPS",
]
SECRET = "s3cret-" + "x" * 30


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
    assert len(settings.machine_clients()) == 0  # no default machine client either
    assert settings.login_limits() == LoginLimits(
        failures_per_account=10,
        account_window_seconds=900,
        attempts_per_address=60,
        address_window_seconds=60,
    )
    assert settings.trusted_proxy_list() == ["127.0.0.1", "::1"]


def test_redis_is_required() -> None:
    values = {name: value for name, value in REQUIRED.items() if name != "REDIS_URL"}
    with pytest.raises(ValidationError, match="REDIS_URL"):
        Settings(**values, JWT_SIGNING_KEY=_key_json())


def test_login_limits_and_trusted_proxies_come_from_the_environment() -> None:
    settings = _settings(
        JWT_SIGNING_KEY=_key_json(),
        LOGIN_MAX_FAILURES_PER_ACCOUNT="5",
        LOGIN_ACCOUNT_WINDOW_SECONDS="300",
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS="1000",
        LOGIN_ADDRESS_WINDOW_SECONDS="10",
        FORWARDED_ALLOW_IPS="10.0.0.0/8, 192.168.1.7",
    )
    assert settings.login_limits() == LoginLimits(5, 300, 1000, 10)
    assert settings.trusted_proxy_list() == ["10.0.0.0/8", "192.168.1.7"]


@pytest.mark.parametrize("proxies", ["ingress", "10.0.0.1/8", "300.1.1.1"])
def test_a_trusted_proxy_must_be_an_address_or_a_network(proxies: str) -> None:
    with pytest.raises(ValidationError, match="neither an IP address nor a network"):
        _settings(JWT_SIGNING_KEY=_key_json(), FORWARDED_ALLOW_IPS=proxies)


def test_a_login_limit_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="LOGIN_MAX_FAILURES_PER_ACCOUNT"):
        _settings(JWT_SIGNING_KEY=_key_json(), LOGIN_MAX_FAILURES_PER_ACCOUNT="0")


def test_machine_clients_come_from_the_variable_or_a_mounted_file(tmp_path: Path) -> None:
    clients = json.dumps({"show-operator": {"secret": SECRET, "role": "SERVICE"}})
    from_variable = _settings(JWT_SIGNING_KEY=_key_json(), OAUTH_CLIENTS=clients).machine_clients()
    (tmp_path / "clients.json").write_text(clients)
    from_file = _settings(
        JWT_SIGNING_KEY=_key_json(), OAUTH_CLIENTS_FILE=str(tmp_path / "clients.json")
    ).machine_clients()
    for loaded in (from_variable, from_file):
        client = loaded.authenticate("show-operator", SECRET)
        assert client is not None
        assert (client.client_id, client.role) == ("show-operator", "SERVICE")
    assert SECRET not in repr(_settings(JWT_SIGNING_KEY=_key_json(), OAUTH_CLIENTS=clients))


@pytest.mark.parametrize(
    ("clients", "message"),
    [
        ("not json", "not valid JSON"),
        ('["show-operator"]', "must be a JSON object"),
        (json.dumps({"show-operator": {"secret": "short-" + SECRET[:20], "role": "SERVICE"}}), "at least 32"),
        (json.dumps({"show-operator": {"secret": SECRET, "role": "USER"}}), "must be one of SERVICE, ADMIN"),
        (json.dumps({"show-operator": {"secret": SECRET}}), '"secret": ..., "role": ...'),
        (json.dumps({"bad id!": {"secret": SECRET, "role": "SERVICE"}}), "must match"),
    ],
)
def test_a_malformed_client_stops_the_service_without_printing_its_secret(clients: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        _settings(JWT_SIGNING_KEY=_key_json(), OAUTH_CLIENTS=clients)
    assert SECRET[:20] not in str(raised.value)


def test_a_missing_clients_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot read"):
        _settings(JWT_SIGNING_KEY=_key_json(), OAUTH_CLIENTS_FILE=str(tmp_path / "absent.json"))


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

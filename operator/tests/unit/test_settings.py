"""Start-up configuration: the secret from a variable or a mounted file; a webhook only with TLS."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from show_operator.settings import Settings

REQUIRED = {
    "CATALOG_URL": "http://catalog:8000/",
    "BOOKING_URL": "http://booking:8000",
    "OAUTH_TOKEN_URL": "http://users:8000/auth/token",
}
OWN_VARIABLES = [
    "OPERATOR_NAMESPACE",
    "OPERATOR_PEERING_NAME",
    "OPERATOR_PRIORITY",
    "OAUTH_CLIENT_ID",
    "OAUTH_CLIENT_SECRET",
    "OAUTH_CLIENT_SECRET_FILE",
    "OPERATOR_SWEEP_INTERVAL_SECONDS",
    "OPERATOR_SERVICE_TIMEOUT_SECONDS",
    "OPERATOR_SYNC_ATTEMPTS",
    "OPERATOR_WITHDRAWAL_WAIT_SECONDS",
    "OPERATOR_WEBHOOK_PORT",
    "OPERATOR_LISTEN_ADDRESS",
    "OPERATOR_WEBHOOK_CERT_FILE",
    "OPERATOR_WEBHOOK_KEY_FILE",
    "OPERATOR_HEALTH_PORT",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*OWN_VARIABLES, *REQUIRED]:
        monkeypatch.delenv(name, raising=False)


def settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name, value in {**REQUIRED, **variables}.items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_defaults_serve_the_tickethub_namespace_without_a_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = settings(monkeypatch, OAUTH_CLIENT_SECRET="s3cret")
    assert (configured.namespace, configured.peering_name, configured.client_id) == (
        "tickethub",
        "show-operator",
        "show-operator",
    )
    assert configured.sweep_interval_seconds == 10.0
    assert configured.catalog_url == "http://catalog:8000"
    assert not configured.webhook_enabled
    assert configured.health_port is None


def test_each_process_gets_its_own_priority_unless_one_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    priorities = {settings(monkeypatch, OAUTH_CLIENT_SECRET="s").priority for _ in range(5)}
    assert len(priorities) > 1
    assert settings(monkeypatch, OAUTH_CLIENT_SECRET="s", OPERATOR_PRIORITY="7").priority == 7


def test_the_secret_can_come_from_a_mounted_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n")
    configured = settings(monkeypatch, OAUTH_CLIENT_SECRET="", OAUTH_CLIENT_SECRET_FILE=str(secret_file))
    assert configured.client_secret() == "from-the-file"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "OAUTH_CLIENT_SECRET"),
        ({"OAUTH_CLIENT_SECRET_FILE": "/nonexistent/secret"}, "/nonexistent/secret"),
        ({"OAUTH_CLIENT_SECRET": "s", "OPERATOR_WEBHOOK_PORT": "9443"}, "OPERATOR_WEBHOOK_CERT_FILE"),
        (
            {"OAUTH_CLIENT_SECRET": "s", "OPERATOR_SWEEP_INTERVAL_SECONDS": "0"},
            "OPERATOR_SWEEP_INTERVAL_SECONDS",
        ),
    ],
)
def test_a_misconfiguration_stops_the_operator_naming_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        settings(monkeypatch, **variables)


def test_a_webhook_needs_its_certificate_and_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    configured = settings(
        monkeypatch,
        OAUTH_CLIENT_SECRET="s",
        OPERATOR_WEBHOOK_PORT="9443",
        OPERATOR_WEBHOOK_CERT_FILE=str(tmp_path / "tls.crt"),
        OPERATOR_WEBHOOK_KEY_FILE=str(tmp_path / "tls.key"),
    )
    assert configured.webhook_enabled
    assert configured.webhook_port == 9443

"""The local stack runs the services the chart declares, wired as the chart wires them."""

from pathlib import Path

import pytest

from tickethub.stack.local import Ports, Stack
from tickethub.stack.topology import chart_services

VALUES = """
defaults:
  uses: []
  calls: []
  env: {LOG_FORMAT: json}
  secretEnv: {}
  secretFiles: {}
services:
  zeta:
    uses: [redis]
    env: {GREETING: hello}
  alpha:
    uses: [postgresql, kafka]
    calls: [zeta]
"""


def test_entries_are_merged_over_the_defaults_in_declared_order(tmp_path: Path) -> None:
    (tmp_path / "charts" / "tickethub").mkdir(parents=True)
    (tmp_path / "charts" / "tickethub" / "values.yaml").write_text(VALUES)

    services = chart_services(tmp_path)

    assert list(services) == ["zeta", "alpha"]
    assert services["zeta"].env == {"LOG_FORMAT": "json", "GREETING": "hello"}
    assert services["alpha"].calls == ("zeta",)
    assert services["alpha"].has_database
    assert not services["zeta"].has_database


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    return Stack(state_dir=tmp_path, ports=Ports(), persistent=False, kubernetes=False)


def test_a_service_gets_the_addresses_of_what_it_uses_and_calls(stack: Stack) -> None:
    notification = stack.services["notification"].environment
    booking = stack.services["booking"].environment

    assert notification["SMTP_PORT"] == str(stack.ports.smtp)
    assert booking["REDIS_URL"] == stack.redis.url
    assert booking["USERS_URL"] == stack.services["users"].url
    assert booking["JWT_JWKS_URL"] == stack.services["users"].url + "/.well-known/jwks.json"


def test_users_gets_the_local_secrets_and_trusts_only_the_loopback_proxy(
    stack: Stack,
) -> None:
    users = stack.services["users"].environment

    assert users["JWT_SIGNING_KEY_FILE"] == str(stack.signing_key_file)
    assert users["OAUTH_CLIENTS_FILE"] == str(stack.oauth_clients_file)
    assert users["TICKETHUB_BOOTSTRAP_ADMIN_EMAIL"] == stack.admin_email
    assert users["TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD"] == stack.admin_password
    # The chart's pod networks mean nothing here: users trusts its default, the loopback entrypoint.
    assert "FORWARDED_ALLOW_IPS" not in users

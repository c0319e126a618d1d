"""Machine clients: only the configured id with its exact secret authenticates, whatever else is tried."""

import json

import pytest

from users.domain.clients import MachineClients

SECRET = "a-machine-secret-of-enough-length-0123456789"


@pytest.fixture
def clients() -> MachineClients:
    return MachineClients.from_json(
        json.dumps(
            {
                "show-operator": {"secret": SECRET, "role": "SERVICE"},
                "reporting": {"secret": SECRET[::-1], "role": "ADMIN"},
            }
        )
    )


def test_the_exact_secret_authenticates_its_own_client_only(clients: MachineClients) -> None:
    operator = clients.authenticate("show-operator", SECRET)
    assert operator is not None
    assert (operator.client_id, operator.role) == ("show-operator", "SERVICE")
    reporting = clients.authenticate("reporting", SECRET[::-1])
    assert reporting is not None
    assert reporting.role == "ADMIN"
    assert clients.authenticate("reporting", SECRET) is None  # another client's secret


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [
        ("show-operator", SECRET[:-1]),  # a prefix
        ("show-operator", SECRET + "x"),  # longer
        ("show-operator", SECRET.upper()),
        ("show-operator", ""),
        ("Show-Operator", SECRET),  # ids are exact
        ("nobody", SECRET),
        ("", ""),
    ],
)
def test_anything_else_is_refused(clients: MachineClients, client_id: str, secret: str) -> None:
    assert clients.authenticate(client_id, secret) is None


def test_no_clients_are_configured_by_default() -> None:
    assert MachineClients().authenticate("show-operator", SECRET) is None


def test_a_client_never_shows_its_secret(clients: MachineClients) -> None:
    client = clients.authenticate("show-operator", SECRET)
    assert SECRET not in repr(client)
    assert "secret_digest" not in repr(client)

"""A real kube-apiserver with the Show API installed, and the operator running against it as a process.

The operator logs in with its ServiceAccount's token (so the Role's least privilege is what is tested),
serves its admission webhook over TLS to the apiserver, and talks to the services' stand-in.
"""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tickethub.stack.certificates import serving_certificate
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.show_api import NAMESPACE, OPERATOR_ACCOUNT, WEBHOOK_PATH, ShowOperator, install_show_api

from .resources import SYNC_ATTEMPTS, Shows
from .standin import CLIENT_SECRET, ServicesState, serving

READY_TIMEOUT_SECONDS = 120.0  # a busy 2-core machine


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    control_plane = ControlPlane(tmp_path_factory.mktemp("kubernetes"), free_port())
    control_plane.start()
    try:
        control_plane.wait_ready(READY_TIMEOUT_SECONDS)
        yield control_plane
    finally:
        control_plane.stop()


@pytest.fixture(scope="session")
def services() -> Iterator[tuple[ServicesState, str]]:
    state = ServicesState()
    with serving(state) as url:
        yield state, url


@pytest.fixture(scope="session")
def show_operator(
    cluster: ControlPlane, services: tuple[ServicesState, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ShowOperator]:
    directory = tmp_path_factory.mktemp("show-operator")
    certificate = serving_certificate(directory / "tls", common_name=OPERATOR_ACCOUNT, ip=LOOPBACK)
    webhook_port, health_port = free_port(), free_port()
    install_show_api(
        cluster, webhook_url=f"https://{LOOPBACK}:{webhook_port}{WEBHOOK_PATH}", certificate=certificate
    )
    kubeconfig = cluster.service_account_kubeconfig(NAMESPACE, OPERATOR_ACCOUNT, directory / "kubeconfig")
    _, url = services
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "KUBECONFIG": str(kubeconfig),
        "CATALOG_URL": url,
        "BOOKING_URL": url,
        "OAUTH_TOKEN_URL": f"{url}/auth/token",
        "OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "OPERATOR_SWEEP_INTERVAL_SECONDS": "1",
        "OPERATOR_SYNC_ATTEMPTS": str(SYNC_ATTEMPTS),
        "OPERATOR_LISTEN_ADDRESS": LOOPBACK,
        "OPERATOR_WEBHOOK_PORT": str(webhook_port),
        "OPERATOR_WEBHOOK_CERT_FILE": str(certificate.cert_file),
        "OPERATOR_WEBHOOK_KEY_FILE": str(certificate.key_file),
        "OPERATOR_HEALTH_PORT": str(health_port),
        "OPERATOR_PRIORITY": "100",
    }
    operator = ShowOperator(
        directory / "replica-1", health_port=health_port, webhook_port=webhook_port, environment=environment
    )
    operator.start()
    try:
        operator.wait_ready(READY_TIMEOUT_SECONDS)
        yield operator
    finally:
        operator.stop()
        print(f"\n--- {operator.log_file} (last lines) ---\n{_tail(operator.log_file)}", file=sys.stderr)


@pytest.fixture(scope="session")
def shows(cluster: ControlPlane, show_operator: ShowOperator) -> Shows:
    return Shows(cluster)


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

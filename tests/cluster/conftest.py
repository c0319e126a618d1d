"""TicketHub on a real one-node Kubernetes, as `make cluster` makes it: real Pods, a real Ingress.

One cluster for the suite, in a temporary directory with its own node network and a free loopback
port for its Ingress; it is taken down, and the machine left as before, however the suite ends.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml

from access import component, port_forward
from system import Api
from tickethub.stack.images import default_version
from tickethub.stack.node.cluster import CLUSTER_VALUES, NAMESPACE, LocalCluster
from tickethub.stack.ports import free_port
from tickethub.stack.routes import repo_root

# Every test client reaches the Ingress from this machine's one address: its per-address login limit
# would throttle the suite. The per-account limit stays as configured.
TEST_VALUES = {"services.users.env.LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000"}


@pytest.fixture(scope="session")
def values() -> dict[str, Any]:
    """The cluster's values file (its development secrets are what the tests log in with)."""
    loaded: dict[str, Any] = yaml.safe_load((repo_root() / CLUSTER_VALUES).read_text())
    return loaded


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    node = LocalCluster(tmp_path_factory.mktemp("cluster"), ingress_port=free_port(), persistent=False)
    try:
        node.start_node()
        node.install_tickethub(version=default_version(), values=TEST_VALUES)
        node.ingress.start()
        node.ingress.wait_ready(timeout=10)
        yield node
    finally:
        node.down()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """On a failure, attach what the cluster looked like: its Pods, and the tail of each one's log."""
    report = yield
    cluster = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(cluster, LocalCluster):
        kubectl = cluster.control_plane.kubectl
        report.sections.append(("pods", kubectl("get", "pods", "--all-namespaces", "--output=wide")))
        for pod in kubectl("get", "pods", f"--namespace={NAMESPACE}", "--output=name").split():
            try:
                log = kubectl("logs", pod, f"--namespace={NAMESPACE}", "--tail=40", "--all-containers")
            except RuntimeError as exc:
                log = str(exc)
            report.sections.append((f"log of {pod}", log))
    return report


@pytest.fixture
def say(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Writes a figure a test measured to the terminal, where a run's reader sees it even on success."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")

    def write(line: str) -> None:
        reporter.write_line(f"[cluster] {line}")

    return write


@pytest.fixture(scope="session")
def mail_api(cluster: LocalCluster) -> Iterator[str]:
    """The in-cluster mail catcher's HTTP API, through a port-forward."""
    with port_forward(cluster, f"service/{component('mailpit')}", 8025) as address:
        yield f"http://{address}"


@pytest.fixture(scope="session")
def jaeger_api(cluster: LocalCluster) -> Iterator[str]:
    """The in-cluster Jaeger's query API, through a port-forward."""
    with port_forward(cluster, f"service/{component('jaeger')}", 16686) as address:
        yield f"http://{address}"


@pytest.fixture(scope="session")
async def api(cluster: LocalCluster, values: dict[str, Any], mail_api: str) -> AsyncIterator[Api]:
    """TicketHub through the Ingress controller, as a user reaches it."""
    admin = values["auth"]["bootstrapAdmin"]
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=cluster.ingress.url, timeout=30, limits=limits) as http:
        yield Api(http, admin.get("email", "admin@tickethub.local"), admin["password"], mail_api)

"""Discovery is cluster DNS: every service finds the others and its backends by Service name."""

import pytest

from access import component, get
from tickethub.stack.node.cluster import NAMESPACE, LocalCluster
from tickethub.stack.topology import chart_services

pytestmark = pytest.mark.cluster

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def environment_of(cluster: LocalCluster, service: str) -> dict[str, str]:
    printed = cluster.control_plane.kubectl(
        "exec", f"deployment/{component(service)}", f"--namespace={NAMESPACE}", "--", "env"
    )
    return dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)


@pytest.mark.parametrize("service", chart_services())
def test_no_service_is_pointed_at_a_loopback_address(cluster: LocalCluster, service: str) -> None:
    environment = environment_of(cluster, service)
    assert environment["OTEL_SERVICE_NAME"] == service
    addresses = {
        name: value for name, value in environment.items() if name.endswith(("_URL", "_SERVERS", "_HOST"))
    }
    assert addresses, "no address in the environment"
    assert {name: value for name, value in addresses.items() if any(n in value for n in LOOPBACK_NAMES)} == {}


def test_service_names_resolve_to_their_cluster_ips_inside_a_pod(cluster: LocalCluster) -> None:
    services = {s["metadata"]["name"]: s["spec"]["clusterIP"] for s in get(cluster, "services")["items"]}
    wanted = [component(name) for name in ("users", "kafka", "postgresql", "redis")]
    program = "import socket, sys; print(' '.join(socket.gethostbyname(name) for name in sys.argv[1:]))"
    resolved = cluster.control_plane.kubectl(
        "exec",
        f"deployment/{component('booking')}",
        f"--namespace={NAMESPACE}",
        "--",
        "python",
        "-c",
        program,
        *wanted,
    ).split()
    assert resolved == [services[name] for name in wanted]

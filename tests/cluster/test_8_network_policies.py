"""The chart's NetworkPolicies hold on the node: a Pod reaches a backend only when it carries that
backend's client label, and only from TicketHub's namespace; the services themselves reach what they
need and nothing else.

Each probe is a Pod of TicketHub's own image that tries TCP connections from inside the cluster."""

import json
from collections.abc import Iterator

import pytest

from access import component, get
from tickethub.stack.node.cluster import NAMESPACE, LocalCluster
from tickethub.testing import eventually

pytestmark = pytest.mark.cluster

# What any TicketHub Pod carries (the chart lets those resolve names through cluster DNS).
INSTANCE_LABELS = "app.kubernetes.io/name=tickethub,app.kubernetes.io/instance=tickethub"
# Prints {"host:port": true when a TCP connection opened, else the error's name}.
CONNECT = """
import json, socket, sys
outcome = {}
for target in sys.argv[1:]:
    host, port = target.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
        outcome[target] = True
    except OSError as error:
        outcome[target] = type(error).__name__
print(json.dumps(outcome))
"""


def address(cluster: LocalCluster, name: str, port_name: str) -> str:
    service = get(cluster, "service", component(name))
    port = next(p["port"] for p in service["spec"]["ports"] if p["name"] == port_name)
    return f"{service['metadata']['name']}.{NAMESPACE}:{port}"


def connect(cluster: LocalCluster, pod: str, namespace: str, *targets: str) -> dict[str, object]:
    printed = cluster.control_plane.kubectl(
        "exec", pod, f"--namespace={namespace}", "--", "python", "-c", CONNECT, *targets
    )
    outcome: dict[str, object] = json.loads(printed)
    return outcome


class Probes:
    """Pods that only sleep, for `connect` to run in; deleted at the end."""

    def __init__(self, cluster: LocalCluster) -> None:
        self.cluster = cluster
        self.image = get(cluster, "deployment", component("users"))["spec"]["template"]["spec"]["containers"][
            0
        ]["image"]
        self.started: list[tuple[str, str]] = []

    def start(self, name: str, namespace: str, labels: str) -> str:
        self.cluster.control_plane.kubectl(
            "run",
            name,
            f"--namespace={namespace}",
            f"--image={self.image}",
            "--image-pull-policy=Never",
            "--restart=Never",
            f"--labels={labels}",
            "--command",
            "--",
            "sleep",
            "600",
        )
        self.started.append((name, namespace))
        self.cluster.control_plane.kubectl(
            "wait", "--for=condition=Ready", f"pod/{name}", f"--namespace={namespace}", "--timeout=90s"
        )
        return f"pod/{name}"

    def delete(self) -> None:
        for name, namespace in self.started:
            self.cluster.control_plane.kubectl(
                "delete", "pod", name, f"--namespace={namespace}", "--wait=false", "--grace-period=0"
            )


@pytest.fixture
def probes(cluster: LocalCluster) -> Iterator[Probes]:
    made = Probes(cluster)
    try:
        yield made
    finally:
        made.delete()


async def test_a_backend_is_reached_only_by_pods_with_its_client_label(
    cluster: LocalCluster, probes: Probes
) -> None:
    postgresql, redis = address(cluster, "postgresql", "postgresql"), address(cluster, "redis", "redis")
    client = probes.start(
        "probe-postgresql-client", NAMESPACE, f"{INSTANCE_LABELS},client.tickethub.io/postgresql=true"
    )
    stranger = probes.start("probe-stranger", NAMESPACE, INSTANCE_LABELS)

    async def client_connects() -> bool:  # the firewall learns of a new Pod within moments
        return connect(cluster, client, NAMESPACE, postgresql)[postgresql] is True

    await eventually(client_connects, "the labelled Pod to reach PostgreSQL", within=30)
    assert connect(cluster, client, NAMESPACE, redis) == {redis: "ConnectionRefusedError"}
    assert connect(cluster, stranger, NAMESPACE, postgresql, redis) == {
        postgresql: "ConnectionRefusedError",
        redis: "ConnectionRefusedError",
    }


async def test_the_client_label_opens_nothing_from_another_namespace(
    cluster: LocalCluster, probes: Probes
) -> None:
    postgresql, booking = address(cluster, "postgresql", "postgresql"), address(cluster, "booking", "http")
    labels = f"{INSTANCE_LABELS},client.tickethub.io/postgresql=true,client.tickethub.io/booking=true"
    inside = probes.start("probe-inside", NAMESPACE, labels)
    outside = probes.start("probe-outside", "default", labels)

    async def inside_connects() -> bool:
        return connect(cluster, inside, NAMESPACE, postgresql, booking) == {postgresql: True, booking: True}

    await eventually(inside_connects, "the labelled Pod in TicketHub's namespace to get in", within=30)
    assert connect(cluster, outside, "default", postgresql, booking) == {
        postgresql: "ConnectionRefusedError",
        booking: "ConnectionRefusedError",
    }


def test_each_service_reaches_its_own_backends_and_no_other(cluster: LocalCluster) -> None:
    smtp, mail_ui = address(cluster, "mailpit", "smtp"), address(cluster, "mailpit", "http")
    postgresql, users = address(cluster, "postgresql", "postgresql"), address(cluster, "users", "http")
    kube_apiserver = "kubernetes.default:443"
    booking = connect(
        cluster, f"deployment/{component('booking')}", NAMESPACE, postgresql, users, smtp, kube_apiserver
    )
    assert booking == {
        postgresql: True,
        users: True,  # its signing keys
        smtp: "ConnectionRefusedError",
        kube_apiserver: "ConnectionRefusedError",
    }
    notification = connect(
        cluster, f"deployment/{component('notification')}", NAMESPACE, smtp, mail_ui, users
    )
    assert notification == {smtp: True, mail_ui: "ConnectionRefusedError", users: "ConnectionRefusedError"}

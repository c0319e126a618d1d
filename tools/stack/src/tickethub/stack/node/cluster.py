"""`make cluster`: a one-node Kubernetes with real Pods on this machine, and TicketHub installed in it.

    python -m tickethub.stack.node.cluster up|down|status|urls

`up` installs what is missing, starts the node (its namespaces, the control plane, containerd, the
kubelet, kube-proxy), CoreDNS and Traefik, builds the TicketHub images and those of the chart's dev
dependencies, imports them into the node, installs the chart with `helm install --wait` and forwards
the Ingress to a loopback port. `down` stops every process the node started, its Pods' processes
included, and removes its cgroups; its namespaces and veth go with its last process. Data (etcd,
containerd's images) stays for the next `up`; `make clean` wipes it.
"""

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from tickethub.stack import install
from tickethub.stack.control_plane import NODE_NAME, ControlPlane
from tickethub.stack.dependency_images import build_dependency_images
from tickethub.stack.images import build_images, default_version, docker_engine
from tickethub.stack.node import addons, installs
from tickethub.stack.node.containerd import Containerd
from tickethub.stack.node.forward import LoopbackForward
from tickethub.stack.node.kubelet import CgroupRoot, Kubelet, KubeProxy
from tickethub.stack.node.namespaces import NodeNamespaces, NodeNetwork
from tickethub.stack.node.network_policies import NetworkPolicyFirewall
from tickethub.stack.paths import state_dir
from tickethub.stack.processes import Server, ServerError, start_all
from tickethub.stack.routes import repo_root

RELEASE = "tickethub"
NAMESPACE = "tickethub"
CHART = "charts/tickethub"
CLUSTER_VALUES = "charts/tickethub/ci/cluster-values.yaml"
_SAVE_TIMEOUT_SECONDS = 900.0
FIREWALL_RBAC = "k8s/cluster/network-policies.yaml"
API_PORT = 6443
_ETCD_PORT, _ETCD_PEER_PORT = 2379, 2380
CLUSTER_CIDR = "10.244.0.0/16"
_POD_SUBNET = "10.244.0.0/24"  # the one node's share of the cluster CIDR
_INGRESS_NODE_PORT = 80  # Traefik's hostPort
DEFAULT_INGRESS_PORT = 18080
_POLL_SECONDS = 0.5


class LocalCluster:
    """One node in `data_dir`; the node's network is remembered there, so `down` finds it again."""

    def __init__(
        self, data_dir: Path, *, ingress_port: int = DEFAULT_INGRESS_PORT, persistent: bool = True
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        network = self._network()
        self.namespaces = NodeNamespaces(self.data_dir / "namespaces", network)
        inside = self.namespaces.inside
        self.control_plane = ControlPlane(
            self.data_dir / "kubernetes",
            API_PORT,
            etcd_port=_ETCD_PORT,
            etcd_peer_port=_ETCD_PEER_PORT,
            persistent=persistent,
            placement=inside,
            runs_pods=True,
        )
        self.containerd = Containerd(self.data_dir / "containerd", inside, pod_subnet=_POD_SUBNET)
        self.cgroups = CgroupRoot(f"tickethub-node{network.index}")
        self.kubelet = Kubelet(
            self.data_dir / "kubelet",
            inside,
            control_plane=self.control_plane,
            runtime_endpoint=self.containerd.endpoint,
            cgroup_root=self.cgroups,
        )
        self.kube_proxy = KubeProxy(
            self.data_dir / "kube-proxy", inside, control_plane=self.control_plane, cluster_cidr=CLUSTER_CIDR
        )
        self.firewall = NetworkPolicyFirewall(
            self.data_dir / "kube-router", inside, control_plane=self.control_plane
        )
        self.ingress = LoopbackForward(
            self.data_dir / "ingress", "ingress", ingress_port, f"{network.node_address}:{_INGRESS_NODE_PORT}"
        )

    def _network(self) -> NodeNetwork:
        remembered = self.data_dir / "network-index"
        if remembered.exists():
            return NodeNetwork(int(remembered.read_text()))
        network = NodeNetwork.unused()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        remembered.write_text(str(network.index))
        return network

    @property
    def node_servers(self) -> list[Server]:
        """The node's own processes, in start order (the control plane's are in between)."""
        return [self.containerd, self.kubelet, self.kube_proxy, self.firewall]

    def is_running(self) -> bool:
        return self.namespaces.is_running() and self.kubelet.is_running()

    def start_node(self) -> None:
        """The node Ready with CoreDNS and the Ingress controller running; nothing of TicketHub yet."""
        started = time.monotonic()
        _step("installing what is missing (the first build of Kubernetes takes minutes)")
        install.ensure_kubernetes()
        installs.ensure_node_packages()
        installs.ensure_kube_router()
        for image in addons.addon_images():  # compiles pause and CoreDNS, fetches Traefik
            _step(f"{image.name} from {image.binary}")
        _step("starting the node's namespaces and its control plane")
        self.namespaces.start()
        self.namespaces.wait_ready(timeout=30)
        self.control_plane.start()
        self.control_plane.wait_ready(timeout=120)
        self.control_plane.apply(repo_root() / FIREWALL_RBAC)  # before the firewall starts
        _step("starting containerd, the kubelet, kube-proxy and the NetworkPolicy firewall")
        # The kubelet checks the runtime's socket once, at start: containerd first.
        start_all([self.containerd], timeout=60)
        start_all([self.kubelet, self.kube_proxy], timeout=60)
        self._wait_node_ready(timeout=60)
        # The firewall looks its Node object up once, at start; it is up before any Pod is scheduled.
        start_all([self.firewall], timeout=60)
        _step("importing the pause, CoreDNS and Traefik images; deploying CoreDNS and Traefik")
        addons.import_addon_images(self.containerd, self.data_dir / "images")
        for manifest in addons.MANIFESTS:
            self.control_plane.apply(repo_root() / manifest)
        for namespace, name in addons.DEPLOYMENTS:
            self.control_plane.kubectl(
                "rollout", "status", f"deployment/{name}", f"--namespace={namespace}", "--timeout=120s"
            )
        _step(f"node {NODE_NAME} ready in {time.monotonic() - started:.0f} s")

    def install_tickethub(self, *, version: str, values: Mapping[str, str] | None = None) -> None:
        """Build the TicketHub images and the dev dependencies' (`make images`), import what the node
        lacks, and install or upgrade the chart with this cluster's values (and `values`, as `--set`
        pairs); waits until it is ready."""
        _step("building the TicketHub images and those of the chart's dev dependencies")
        with docker_engine() as docker:
            tags = [image.tag for image in build_images(docker, version=version)]
            tags += [image.tag for image in build_dependency_images(docker)]
            missing = [tag for tag in tags if f"docker.io/{tag}" not in self.containerd.image_names()]
            if missing:
                _step(f"importing {len(missing)} image(s) into the node")
                archive = self.data_dir / "images" / "tickethub.tar"
                archive.parent.mkdir(parents=True, exist_ok=True)
                docker("save", f"--output={archive}", *missing, timeout=_SAVE_TIMEOUT_SECONDS)
                self.containerd.import_image(archive)
                archive.unlink()
        _step("installing the chart (helm upgrade --install --wait; the first install takes minutes)")
        started = time.monotonic()
        self.control_plane.helm(
            "upgrade",
            "--install",
            RELEASE,
            str(repo_root() / CHART),
            f"--namespace={NAMESPACE}",
            "--create-namespace",
            f"--values={repo_root() / CLUSTER_VALUES}",
            f"--set=image.tag={version}",
            *(f"--set={key}={value}" for key, value in (values or {}).items()),
            "--wait",
            "--wait-for-jobs",
            "--timeout=15m",
        )
        _step(f"TicketHub is installed ({time.monotonic() - started:.0f} s)")

    def _wait_node_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._node_ready():
            if time.monotonic() >= deadline:
                raise ServerError(
                    f"node {NODE_NAME} not Ready in {timeout:.0f} s (see {self.kubelet.log_file})"
                )
            time.sleep(_POLL_SECONDS)

    def _node_ready(self) -> bool:
        nodes = json.loads(self.control_plane.kubectl("get", "nodes", "--output=json"))["items"]
        return any(
            node["metadata"]["name"] == NODE_NAME
            and any(
                c["type"] == "Ready" and c["status"] == "True" for c in node["status"].get("conditions", [])
            )
            for node in nodes
        )

    def down(self) -> None:
        """Stop everything the node started and remove its cgroups; the host is as before. Every step
        runs even when one before it failed (the first failure is raised at the end)."""
        steps = [
            self.ingress.stop,
            self.firewall.stop,
            self.kube_proxy.stop,
            self.kubelet.stop,
            self.cgroups.remove,  # the Pods' processes, before their shims and containerd go
            self.containerd.stop,
            self.control_plane.stop,
            self._kill_namespace_members,  # containerd's shims, anything left behind
            self.namespaces.stop,
            self.cgroups.remove,
        ]
        failures = []
        for step in steps:
            try:
                step()
            except Exception as exc:  # the rest must still run
                failures.append(exc)
        if failures:
            raise failures[0]

    def _kill_namespace_members(self) -> None:
        holder = self.namespaces.pid()
        for pid in list(self.namespaces.member_pids()):
            if pid != holder:
                _kill(pid)

    def all_servers(self) -> list[Server]:
        return [self.namespaces, *self.control_plane.servers, *self.node_servers, self.ingress]


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _step(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def _print_urls(cluster: LocalCluster) -> None:
    kubeconfig = cluster.control_plane.kubeconfig
    rows = {
        "entrypoint (Ingress)": cluster.ingress.url,
        "api docs": f"{cluster.ingress.url}/docs/booking (also /docs/users, /docs/catalog, /docs/payment)",
        "kubeconfig": f"export KUBECONFIG={kubeconfig} PATH={install.kubernetes_bin_dir()}:$PATH",
        "pods": f"kubectl get pods --namespace={NAMESPACE}",
        "jaeger": f"kubectl port-forward --namespace={NAMESPACE} service/{RELEASE}-jaeger 16686",
        "mail catcher": f"kubectl port-forward --namespace={NAMESPACE} service/{RELEASE}-mailpit 8025",
        "admin": _bootstrap_admin(),
    }
    width = max(map(len, rows))
    print("TicketHub runs on the local node:")
    for name, value in rows.items():
        print(f"  {name:<{width}}  {value}")
    print("  stop with `make cluster-down`")


def _bootstrap_admin() -> str:
    """The first admin as the cluster's values file sets it (its development password is no secret)."""
    values = yaml.safe_load((repo_root() / CLUSTER_VALUES).read_text())
    admin = values["auth"]["bootstrapAdmin"]
    defaults = yaml.safe_load((repo_root() / CHART / "values.yaml").read_text())["auth"]["bootstrapAdmin"]
    return f"{admin.get('email', defaults['email'])} (password: {admin['password']})"


def default_cluster() -> LocalCluster:
    port = int(os.environ.get("TICKETHUB_PORT_INGRESS", DEFAULT_INGRESS_PORT))
    return LocalCluster(state_dir() / "cluster", ingress_port=port)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tickethub.stack.node.cluster", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    command = parser.parse_args(argv).command
    cluster = default_cluster()
    if command == "up":
        try:
            cluster.start_node()
            cluster.install_tickethub(version=default_version())
            cluster.ingress.start()
            cluster.ingress.wait_ready(timeout=10)
        except Exception as exc:
            print(
                f"[cluster] failed: {exc}\n[cluster] `make cluster-down` stops what did start",
                file=sys.stderr,
            )
            sys.exit(1)
        _print_urls(cluster)
    elif command == "down":
        cluster.down()
        print("The cluster is stopped.")
    else:
        for server in cluster.all_servers():
            print(f"  {server.name:<24} {'running' if server.is_running() else 'stopped'}")


if __name__ == "__main__":
    main()

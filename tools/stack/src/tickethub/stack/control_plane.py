"""A local Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager on loopback.

By default there is no kubelet and no scheduler, so Pods never run: it serves what an operator and
its tests need from Kubernetes (CRDs, RBAC, admission webhooks, namespaces, ServiceAccounts and their
tokens), and starts in seconds.

    with ControlPlane(tmp / "kubernetes", free_port()) as cluster:   # start() + wait_ready(), stop()
        cluster.apply(Path("crds/shows.yaml"))
        cluster.kubectl("get", "shows", "-A")

`workloads=True` makes it behave like a real cluster for workloads: the workload controllers,
kube-scheduler, and kwok, which registers fake nodes and plays their kubelets (Pods are scheduled and
become Running and Ready without running any container, a Job's Pods complete, PersistentVolumeClaims
are bound), so `helm install --wait` works as on a real cluster.

Clients authenticate with static bearer tokens (the admin is in `system:masters`) and with
ServiceAccount tokens. Keys, tokens and the API server's self-signed certificate are made once per
data directory, so kubeconfigs written earlier stay valid across restarts.
"""

import base64
import csv
import io
import json
import os
import secrets
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tickethub.stack import install, probes
from tickethub.stack.certificates import Certificate, client_certificate
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.processes import ON_HOST, Placement, Server, ServerError

CLUSTER_NAME = "tickethub-local"
ADMIN_USER = "admin"
CONTROLLER_MANAGER_USER = "system:kube-controller-manager"
SCHEDULER_USER = "system:kube-scheduler"
# A real node's kubelet and kube-proxy (see tickethub.stack.node).
NODE_NAME = "tickethub-node"
NODE_USER = f"system:node:{NODE_NAME}"
KUBE_PROXY_USER = "system:kube-proxy"
KUBE_ROUTER_USER = "system:kube-router"  # the node's NetworkPolicy firewall; k8s/cluster gives it its RBAC
# Static token users and their groups; the bootstrap RBAC policy already grants the system users
# exactly what their components need (the Node authorizer and system:node-proxier the node's two).
_TOKEN_USERS: dict[str, tuple[str, ...]] = {
    ADMIN_USER: ("system:masters",),
    CONTROLLER_MANAGER_USER: (),
    SCHEDULER_USER: (),
    NODE_USER: ("system:nodes",),
    KUBE_PROXY_USER: (),
    KUBE_ROUTER_USER: (),
}
# The API server's own identity towards kubelets (exec, logs, port-forward).
_KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client"
SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16"
_CLUSTER_CIDR = "10.244.0.0/16"
# The controllers that matter without Pods. Each one starts ~150 ms after the previous (it gets its
# own ServiceAccount), so the full set would delay the ServiceAccount controller by seconds.
_CONTROLLERS = (
    "serviceaccount-token-controller",
    "serviceaccount-controller",
    "namespace-controller",
    "garbage-collector-controller",
    "root-ca-certificate-publisher-controller",
    "clusterrole-aggregation-controller",
)
_SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# What a cluster needs to run workloads: Deployments, StatefulSets, DaemonSets, Jobs, Services'
# endpoints, PodDisruptionBudgets and HorizontalPodAutoscalers (they keep replicas within their bounds;
# without a metrics API they never scale on load).
_WORKLOAD_CONTROLLERS = (
    *_CONTROLLERS,
    "deployment-controller",
    "replicaset-controller",
    "statefulset-controller",
    "daemonset-controller",
    "job-controller",
    "ttl-after-finished-controller",
    "endpoints-controller",
    "endpointslice-controller",
    "disruption-controller",
    "horizontal-pod-autoscaler-controller",
    # Lifts the not-ready taint the API server puts on every new node once the node reports Ready.
    "node-lifecycle-controller",
    # Lift the protection finalizers of deleted claims and volumes (StatefulSets' storage).
    "persistentvolumeclaim-protection-controller",
    "persistentvolume-protection-controller",
)
KUBE_SCHEDULER_PORT = 10259
# With a real node, every controller a cluster runs by default, but those of a cloud provider.
_ALL_CONTROLLERS = (
    "*",
    "-cloud-node-lifecycle-controller",
    "-service-lb-controller",
    "-node-route-controller",
)
# kwok manages the nodes with this annotation (and no others, should a real kubelet ever join).
KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node"
FAKE_NODE_LABEL = "type"
FAKE_NODE_LABEL_VALUE = "kwok"
FAKE_NODES = ("kwok-node-0", "kwok-node-1")
_FAKE_NODE_RESOURCES = {"cpu": "32", "memory": "256Gi", "pods": "110"}
# The address every fake node reports; like their Pods' addresses (from the cluster CIDR) it is only
# shown in status, never routed.
_FAKE_NODE_IP = "10.0.0.1"
_KUBECTL_TIMEOUT_SECONDS = 120.0
_POLL_SECONDS = 0.2
_HELM_TIMEOUT_SECONDS = 600.0


class KubectlError(RuntimeError):
    """kubectl (or helm) exited with an error; the message carries its stderr."""


class ClusterCredentials:
    """The service-account signing key pair and the static user tokens of one control plane.

    Made once, on first use, into files only their owner can read.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).absolute()

    @property
    def service_account_key(self) -> Path:
        return self.directory / "service-account.key"

    @property
    def service_account_public_key(self) -> Path:
        return self.directory / "service-account.pub"

    @property
    def token_file(self) -> Path:
        return self.directory / "tokens.csv"

    @property
    def kubelet_client(self) -> Certificate:
        """The API server's client certificate towards kubelets, and the CA kubelets trust it by."""
        return client_certificate(
            self.directory / "kubelet-client", common_name=_KUBELET_CLIENT_USER, organization="system:masters"
        )

    def ensure(self) -> None:
        """Create whatever is missing (a token for each user a newer version knows, too); existing keys
        and tokens are kept."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not (self.service_account_key.exists() and self.service_account_public_key.exists()):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _write_private(
                self.service_account_key,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
            _write_private(
                self.service_account_public_key,
                key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ),
            )
        existing = self.token_file.read_text() if self.token_file.exists() else ""
        known = {row[1] for row in csv.reader(existing.splitlines())}
        if missing := [user for user in _TOKEN_USERS if user not in known]:  # kept tokens stay valid
            rows = io.StringIO(existing)
            rows.seek(0, io.SEEK_END)
            writer = csv.writer(rows, lineterminator="\n")
            for user in missing:
                # kube-apiserver's format: token,user,uid[,"group1,group2"]
                groups = _TOKEN_USERS[user]
                group_column = [",".join(groups)] if groups else []
                writer.writerow([secrets.token_urlsafe(32), user, user, *group_column])
            _write_private(self.token_file, rows.getvalue().encode())

    def token(self, user: str) -> str:
        """The bearer token of one of the static users (ADMIN_USER, CONTROLLER_MANAGER_USER, ...)."""
        for row in csv.reader(self.token_file.read_text().splitlines()):
            if row[1] == user:
                return row[0]
        raise KeyError(f"no token for {user!r} in {self.token_file}")


class Etcd(Server):
    """A single-member etcd cluster; `persistent=False` skips fsync (for throwaway test data only)."""

    name = "etcd"

    def __init__(
        self,
        data_dir: Path,
        client_port: int,
        *,
        peer_port: int | None = None,
        persistent: bool = False,
        kubernetes: install.KubernetesInstall | None = None,
        placement: Placement = ON_HOST,
    ) -> None:
        """`peer_port=None` picks a free port now (a single member never has peers to talk to)."""
        super().__init__(data_dir, placement)
        self.client_port = client_port
        self.peer_port = peer_port or free_port()
        self.persistent = persistent
        self._kubernetes = kubernetes

    @property
    def ports(self) -> Sequence[int]:
        return [self.client_port, self.peer_port]

    @property
    def url(self) -> str:
        return f"http://{self.placement.address}:{self.client_port}"

    def _prepare(self) -> None:
        self._kubernetes = self._kubernetes or install.ensure_kubernetes()

    def _command(self) -> list[str]:
        kubernetes = self._kubernetes or install.ensure_kubernetes()
        peer_url = f"http://{self.placement.address}:{self.peer_port}"
        return [
            str(kubernetes.etcd),
            "--name=tickethub",
            f"--data-dir={self.data_dir / 'data'}",
            f"--listen-client-urls={self.url}",
            f"--advertise-client-urls={self.url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=tickethub={peer_url}",
            *([] if self.persistent else ["--unsafe-no-fsync"]),
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"{self.url}/health")


class KubeApiserver(Server):
    """kube-apiserver over HTTPS, with a certificate it signs itself on first start (for its address,
    the `kubernetes` Service's cluster IP and that Service's names).

    Authentication: the static tokens of `credentials` and ServiceAccount tokens; authorisation: RBAC
    (and the Node authorizer, as in any cluster). `reaches_kubelets`: a real node runs Pods, so the
    `kubernetes` Service points at this server and it calls the kubelet (exec, logs, port-forward).
    """

    name = "kube-apiserver"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        etcd_url: str,
        credentials: ClusterCredentials,
        kubernetes: install.KubernetesInstall | None = None,
        placement: Placement = ON_HOST,
        reaches_kubelets: bool = False,
    ) -> None:
        super().__init__(data_dir, placement)
        self.port = port
        self.etcd_url = etcd_url
        self.credentials = credentials
        self.reaches_kubelets = reaches_kubelets
        self._kubernetes = kubernetes

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return f"https://{self.placement.address}:{self.port}"

    @property
    def cert_dir(self) -> Path:
        return self.data_dir / "serving"

    @property
    def ca_file(self) -> Path:
        """The self-signed serving certificate (with its signing CA): what clients must trust."""
        return self.cert_dir / "apiserver.crt"

    def answers(self, path: str) -> bool:
        """True when GET `path` as the admin answers 200."""
        return probes.http_ok(
            f"{self.url}{path}", bearer_token=self.credentials.token(ADMIN_USER), ca_file=self.ca_file
        )

    def _prepare(self) -> None:
        self._kubernetes = self._kubernetes or install.ensure_kubernetes()
        self.credentials.ensure()

    def _command(self) -> list[str]:
        kubernetes = self._kubernetes or install.ensure_kubernetes()
        return [
            str(kubernetes.kube_apiserver),
            f"--etcd-servers={self.etcd_url}",
            f"--bind-address={self.placement.address}",
            f"--advertise-address={self.placement.address}",
            f"--secure-port={self.port}",
            f"--cert-dir={self.cert_dir}",
            f"--service-account-issuer={_SERVICE_ACCOUNT_ISSUER}",
            f"--service-account-key-file={self.credentials.service_account_public_key}",
            f"--service-account-signing-key-file={self.credentials.service_account_key}",
            f"--token-auth-file={self.credentials.token_file}",
            "--authorization-mode=Node,RBAC",
            f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
            *(self._kubelet_flags() if self.reaches_kubelets else self._no_pod_flags()),
        ]

    def _kubelet_flags(self) -> list[str]:
        client = self.credentials.kubelet_client
        return [
            f"--kubelet-client-certificate={client.cert_file}",
            f"--kubelet-client-key={client.key_file}",
            # The node's name resolves nowhere; its address is in its status.
            "--kubelet-preferred-address-types=InternalIP",
        ]

    def _no_pod_flags(self) -> list[str]:
        # No Pods run behind the `kubernetes` Service: nothing to keep its endpoints pointing at.
        return ["--endpoint-reconciler-type=none"]

    def _is_ready(self) -> bool:
        return self.answers("/readyz")


class KubeControllerManager(Server):
    """kube-controller-manager: namespaces, ServiceAccounts, garbage collection and the other controllers.

    It serves no port of its own; it is ready once its ServiceAccount controller has given the
    `default` namespace its `default` ServiceAccount (on a restart that exists already).
    """

    name = "kube-controller-manager"

    def __init__(
        self,
        data_dir: Path,
        *,
        apiserver: KubeApiserver,
        controllers: Sequence[str] = _CONTROLLERS,
        kubernetes: install.KubernetesInstall | None = None,
    ) -> None:
        super().__init__(data_dir, apiserver.placement)
        self.apiserver = apiserver
        self.controllers = tuple(controllers)
        self._kubernetes = kubernetes

    @property
    def ports(self) -> Sequence[int]:
        return []

    @property
    def kubeconfig(self) -> Path:
        return self.data_dir / f"{self.name}.kubeconfig"

    def _prepare(self) -> None:
        self._kubernetes = self._kubernetes or install.ensure_kubernetes()
        write_user_kubeconfig(self.kubeconfig, self.apiserver, CONTROLLER_MANAGER_USER)

    def _command(self) -> list[str]:
        kubernetes = self._kubernetes or install.ensure_kubernetes()
        credentials = self.apiserver.credentials
        return [
            str(kubernetes.kube_controller_manager),
            f"--kubeconfig={self.kubeconfig}",
            f"--authentication-kubeconfig={self.kubeconfig}",
            f"--authorization-kubeconfig={self.kubeconfig}",
            f"--bind-address={self.placement.address}",
            "--secure-port=0",
            "--leader-elect=false",
            f"--controllers={','.join(self.controllers)}",
            # Each controller acts as its own ServiceAccount, with only the rights RBAC gives it.
            "--use-service-account-credentials",
            f"--service-account-private-key-file={credentials.service_account_key}",
            f"--root-ca-file={self.apiserver.ca_file}",
            f"--cluster-cidr={_CLUSTER_CIDR}",
            f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
        ]

    def _is_ready(self) -> bool:
        return self.apiserver.answers("/api/v1/namespaces/default/serviceaccounts/default")


class KubeScheduler(Server):
    """kube-scheduler: binds Pods to nodes. Serves its health checks on a loopback HTTPS port, with a
    certificate it signs itself on first start."""

    name = "kube-scheduler"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        apiserver: KubeApiserver,
        kubernetes: install.KubernetesInstall | None = None,
    ) -> None:
        super().__init__(data_dir, apiserver.placement)
        self.port = port
        self.apiserver = apiserver
        self._kubernetes = kubernetes

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def kubeconfig(self) -> Path:
        return self.data_dir / f"{self.name}.kubeconfig"

    @property
    def cert_dir(self) -> Path:
        return self.data_dir / "serving"

    def _prepare(self) -> None:
        self._kubernetes = self._kubernetes or install.ensure_kubernetes()
        write_user_kubeconfig(self.kubeconfig, self.apiserver, SCHEDULER_USER)

    def _command(self) -> list[str]:
        kubernetes = self._kubernetes or install.ensure_kubernetes()
        return [
            str(kubernetes.kube_scheduler),
            f"--kubeconfig={self.kubeconfig}",
            f"--bind-address={self.placement.address}",
            f"--secure-port={self.port}",
            f"--cert-dir={self.cert_dir}",
            "--leader-elect=false",
        ]

    def _is_ready(self) -> bool:
        # /readyz passes once the scheduler's informers have synced; anyone may ask for it.
        return probes.http_ok(
            f"https://{self.placement.address}:{self.port}/readyz", ca_file=self.cert_dir / f"{self.name}.crt"
        )


class Kwok(Server):
    """kwok: the kubelet of every node annotated `kwok.x-k8s.io/node=fake`, without containers.

    Its stages (from its own module) make such nodes Ready and keep their leases, turn scheduled Pods
    Running and Ready (a Job's Pods then Succeeded), delete terminating Pods, and bind the
    PersistentVolumeClaims of its `kwok-volume` StorageClass.
    """

    name = "kwok"

    def __init__(
        self, data_dir: Path, port: int, *, kubeconfig: Path, kwok: install.KwokInstall | None = None
    ) -> None:
        """`kubeconfig`: an identity that may manage nodes, Pods and volumes in every namespace."""
        super().__init__(data_dir)
        self.port = port
        self.kubeconfig = kubeconfig
        self._kwok = kwok

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    def _prepare(self) -> None:
        self._kwok = self._kwok or install.ensure_kwok()

    def _command(self) -> list[str]:
        kwok = self._kwok or install.ensure_kwok()
        return [
            str(kwok.binary),
            f"--kubeconfig={self.kubeconfig}",
            "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={KWOK_NODE_ANNOTATION}=fake",
            f"--cidr={_CLUSTER_CIDR}",
            f"--node-ip={_FAKE_NODE_IP}",
            f"--server-address={LOOPBACK}:{self.port}",
            *(f"--config={stage}" for stage in kwok.stage_files),
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"http://{LOOPBACK}:{self.port}/healthz")


class ControlPlane:
    """etcd, kube-apiserver and kube-controller-manager in one data directory, plus admin access.

    Layout of `data_dir`: `pki/` (keys and tokens), `etcd/`, `kube-apiserver/` (with its serving
    certificate), `kube-controller-manager/` (each with its log and pid file) and `admin.kubeconfig`;
    with `workloads=True` also `kube-scheduler/` and `kwok/`.
    `persistent=True` makes etcd fsync its writes (for `make up`); data survives restarts either way.
    """

    name = "kubernetes"

    def __init__(
        self,
        data_dir: Path,
        api_port: int,
        *,
        etcd_port: int | None = None,
        etcd_peer_port: int | None = None,
        persistent: bool = False,
        workloads: bool = False,
        kubernetes: install.KubernetesInstall | None = None,
        kwok: install.KwokInstall | None = None,
        placement: Placement = ON_HOST,
        runs_pods: bool = False,
    ) -> None:
        """`etcd_port=None` / `etcd_peer_port=None` pick free ports now (only the API server uses them);
        so do the scheduler's and kwok's health ports with `workloads=True`.

        `placement` and `runs_pods`: the control plane of a real node (tickethub.stack.node) runs inside
        the node's namespaces, with every controller and the scheduler; the node brings the kubelet.
        """
        self.data_dir = Path(data_dir).absolute()
        self.credentials = ClusterCredentials(self.data_dir / "pki")
        self.etcd = Etcd(
            self.data_dir / "etcd",
            etcd_port or free_port(),
            peer_port=etcd_peer_port,
            persistent=persistent,
            kubernetes=kubernetes,
            placement=placement,
        )
        self.apiserver = KubeApiserver(
            self.data_dir / "kube-apiserver",
            api_port,
            etcd_url=self.etcd.url,
            credentials=self.credentials,
            kubernetes=kubernetes,
            placement=placement,
            reaches_kubelets=runs_pods,
        )
        controllers = _ALL_CONTROLLERS if runs_pods else _WORKLOAD_CONTROLLERS if workloads else _CONTROLLERS
        self.controller_manager = KubeControllerManager(
            self.data_dir / "kube-controller-manager",
            apiserver=self.apiserver,
            controllers=controllers,
            kubernetes=kubernetes,
        )
        self.workloads = workloads
        self.runs_pods = runs_pods
        self.scheduler = KubeScheduler(
            self.data_dir / "kube-scheduler",
            # A node's namespaces are its own: the scheduler's usual port is free there.
            KUBE_SCHEDULER_PORT if placement.launcher else free_port(),
            apiserver=self.apiserver,
            kubernetes=kubernetes,
        )
        self.kwok = Kwok(self.data_dir / "kwok", free_port(), kubeconfig=self.kubeconfig, kwok=kwok)
        self._kubernetes = kubernetes
        self._kwok_install = kwok

    @property
    def servers(self) -> Sequence[Server]:
        """The processes, in start order."""
        workload_servers = [self.scheduler, self.kwok] if self.workloads else []
        if self.runs_pods:
            workload_servers = [self.scheduler]
        return [self.etcd, self.apiserver, self.controller_manager, *workload_servers]

    @property
    def server_url(self) -> str:
        return self.apiserver.url

    @property
    def kubeconfig(self) -> Path:
        """The admin's kubeconfig (cluster and context `tickethub-local`), written by wait_ready()."""
        return self.data_dir / "admin.kubeconfig"

    def start(self) -> None:
        """Launch etcd and the API server (which waits for etcd by itself); does not wait for them."""
        self.credentials.ensure()
        self.etcd.start()
        self.apiserver.start()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for etcd and the API server, write the admin kubeconfig, then start the controllers
        (with `workloads=True` also the scheduler and kwok, and wait until the fake nodes are Ready).

        The controller manager starts only now because it needs the API server's certificate, which
        the API server makes when it first starts.
        """
        deadline = time.monotonic() + timeout
        self.etcd.wait_ready(timeout)
        self.apiserver.wait_ready(_remaining(deadline))
        _write_private(
            self.kubeconfig,
            kubeconfig_text(
                self.server_url,
                self.apiserver.ca_file,
                user=ADMIN_USER,
                token=self.credentials.token(ADMIN_USER),
            ).encode(),
        )
        self.controller_manager.start()
        if self.workloads or self.runs_pods:
            self.scheduler.start()
        if self.workloads:
            self.kwok.start()
        self.controller_manager.wait_ready(_remaining(deadline))
        if self.workloads:
            self._register_fake_nodes(deadline)
        if self.runs_pods:
            self.scheduler.wait_ready(_remaining(deadline))

    def _register_fake_nodes(self, deadline: float) -> None:
        """Create the fake nodes and kwok's StorageClass (both idempotent), then wait until Pods can be
        placed: the nodes Ready and untainted (the API server taints new nodes not-ready; the node
        lifecycle controller lifts that once kwok reports them Ready), the scheduler ready."""
        kwok = self._kwok_install or install.ensure_kwok()
        self.apply(
            yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [_fake_node(n) for n in FAKE_NODES]})
        )
        self.apply(kwok.storage_class)
        self.kwok.wait_ready(_remaining(deadline))
        while not self._fake_nodes_schedulable():
            if time.monotonic() >= deadline:
                nodes = self.kubectl("get", "nodes", "--output=yaml")
                raise ServerError(f"the fake nodes are not Ready and untainted in time:\n{nodes}")
            time.sleep(_POLL_SECONDS)
        self.scheduler.wait_ready(_remaining(deadline))

    def _fake_nodes_schedulable(self) -> bool:
        listing = self.kubectl(
            "get", "nodes", f"--selector={FAKE_NODE_LABEL}={FAKE_NODE_LABEL_VALUE}", "--output=json"
        )
        nodes = json.loads(listing)["items"]
        return len(nodes) == len(FAKE_NODES) and all(
            not node["spec"].get("taints")
            and any(
                condition["type"] == "Ready" and condition["status"] == "True"
                for condition in node.get("status", {}).get("conditions", [])
            )
            for node in nodes
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every process, the controllers first and etcd last."""
        for server in reversed(self.servers):
            server.stop(timeout)

    def is_running(self) -> bool:
        return all(server.is_running() for server in self.servers)

    def kubectl(self, *args: str, input: str | None = None, kubeconfig: Path | None = None) -> str:
        """Run kubectl (as the admin unless `kubeconfig` says otherwise) and return its stdout."""
        kubernetes = self._kubernetes or install.ensure_kubernetes()
        return _run_client(
            kubernetes.kubectl,
            [
                f"--kubeconfig={kubeconfig or self.kubeconfig}",
                # Discovery cache next to the cluster: never stale from another cluster on the same port.
                f"--cache-dir={self.data_dir / 'kubectl-cache'}",
            ],
            args,
            input=input,
            timeout=_KUBECTL_TIMEOUT_SECONDS,
        )

    def helm(self, *args: str, input: str | None = None) -> str:
        """Run helm as the admin and return its stdout.

        Helm's own configuration, cache and repositories live next to the cluster, so nothing from the
        user's Helm setup leaks in and nothing is left in their home directory.
        """
        helm_home = self.data_dir / "helm"
        return _run_client(
            install.ensure_helm(),
            [f"--kubeconfig={self.kubeconfig}"],
            args,
            input=input,
            timeout=_HELM_TIMEOUT_SECONDS,
            env={
                "HELM_CONFIG_HOME": str(helm_home / "config"),
                "HELM_CACHE_HOME": str(helm_home / "cache"),
                "HELM_DATA_HOME": str(helm_home / "data"),
            },
        )

    def apply(self, manifests: Path | str) -> str:
        """`kubectl apply` a file or directory (a Path), or YAML text (a str)."""
        if isinstance(manifests, Path):
            return self.kubectl("apply", "-f", str(manifests))
        return self.kubectl("apply", "-f", "-", input=manifests)

    def wait_established(self, *crds: str, timeout: float = 60.0) -> None:
        """Wait until the API server serves each CustomResourceDefinition (by name) it was given.

        Not `kubectl wait --for=condition=Established`: that fails at once ("accessor error") while a
        new CRD's status has no conditions yet, instead of waiting for them.
        """
        deadline = time.monotonic() + timeout
        while waiting := [crd for crd in crds if not self._established(crd)]:
            if time.monotonic() >= deadline:
                raise ServerError(f"not established within {timeout:.0f} s: {', '.join(waiting)}")
            time.sleep(_POLL_SECONDS)

    def _established(self, crd: str) -> bool:
        status = json.loads(self.kubectl("get", "customresourcedefinition", crd, "--output=json"))["status"]
        return any(
            condition["type"] == "Established" and condition["status"] == "True"
            for condition in status.get("conditions") or []
        )

    def service_account_kubeconfig(
        self, namespace: str, name: str, path: Path, duration: str = "8760h"
    ) -> Path:
        """Write a kubeconfig at `path` that acts as ServiceAccount `namespace/name`, with a new token.

        The ServiceAccount must exist; the token expires after `duration` (a Go duration like 1h).
        """
        token = self.kubectl("create", "token", name, "--namespace", namespace, "--duration", duration)
        _write_private(
            path,
            kubeconfig_text(
                self.server_url,
                self.apiserver.ca_file,
                user=f"system:serviceaccount:{namespace}:{name}",
                token=token.strip(),
            ).encode(),
        )
        return path

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def kubeconfig_text(server_url: str, ca_file: Path, *, user: str, token: str) -> str:
    """A kubeconfig with one cluster and context (`tickethub-local`), the CA embedded, a bearer token."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "cluster": {
                    "server": server_url,
                    "certificate-authority-data": base64.b64encode(ca_file.read_bytes()).decode(),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": CLUSTER_NAME, "context": {"cluster": CLUSTER_NAME, "user": user}}],
        "current-context": CLUSTER_NAME,
    }
    return yaml.safe_dump(config, sort_keys=False)


def _fake_node(name: str) -> dict[str, Any]:
    """A node for kwok to manage, labelled like a kubelet labels its node."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {KWOK_NODE_ANNOTATION: "fake"},
            "labels": {
                FAKE_NODE_LABEL: FAKE_NODE_LABEL_VALUE,
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
            },
        },
        # A node may be created with its status; kwok keeps what is set here.
        "status": {"allocatable": _FAKE_NODE_RESOURCES, "capacity": _FAKE_NODE_RESOURCES},
    }


def write_user_kubeconfig(path: Path, apiserver: KubeApiserver, user: str) -> None:
    _write_private(
        path,
        kubeconfig_text(
            apiserver.url, apiserver.ca_file, user=user, token=apiserver.credentials.token(user)
        ).encode(),
    )


def _run_client(
    binary: Path,
    connection: Sequence[str],
    args: Sequence[str],
    *,
    input: str | None,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run a client with its `connection` flags (left out of error messages) and `args`."""
    result = subprocess.run(
        [str(binary), *connection, *args],
        input=input,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, **env} if env else None,
    )
    if result.returncode != 0:
        command = " ".join([binary.name, *args])
        raise KubectlError(f"{command} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def _write_private(path: Path, content: bytes) -> None:
    """Replace `path` atomically with a file only its owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(content)
    partial.replace(path)


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ServerError("the Kubernetes control plane is not ready before the deadline")
    return remaining

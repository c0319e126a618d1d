"""The node's kubelet and kube-proxy, and the cgroup subtree the node's Pods live in.

The kubelet uses the cgroupfs driver (cgroup v1, no systemd) under a cgroup root of the node's own, so
every Pod's cgroup is found, and removed, under it; it trusts the API server's client certificate for
exec, logs and port-forward, and resolves Pods' names through the cluster DNS Service. kube-proxy
programs the node's Services in nftables, inside the node's network namespace.
"""

import errno
import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path

import yaml

from tickethub.stack import install, probes
from tickethub.stack.control_plane import (
    KUBE_PROXY_USER,
    NODE_NAME,
    NODE_USER,
    ControlPlane,
    write_user_kubeconfig,
)
from tickethub.stack.processes import Placement, Server, ServerError

CLUSTER_DOMAIN = "cluster.local"
CLUSTER_DNS = "10.96.0.10"  # in the Service range; CoreDNS's Service takes it
_KUBELET_HEALTH_PORT = 10248
_KUBE_PROXY_HEALTH_PORT = 10256
_POLL_SECONDS = 0.1


class CgroupRoot:
    """`<hierarchy>/<name>` in every cgroup hierarchy: where the kubelet puts the node's Pods."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def directories(self) -> list[Path]:
        return [hierarchy / self.name for hierarchy in _hierarchies()]

    def create(self) -> None:
        for directory in self.directories:
            directory.mkdir(exist_ok=True)
            if directory.parent.name == "cpuset":  # a new cpuset has no CPUs or memory nodes until given
                for setting in ("cpuset.cpus", "cpuset.mems"):
                    (directory / setting).write_text((directory.parent / setting).read_text())

    def member_pids(self) -> Iterator[int]:
        for cgroup in self._cgroups():
            with suppress(FileNotFoundError):  # the runtime removed that cgroup meanwhile
                yield from (int(pid) for pid in (cgroup / "cgroup.procs").read_text().split())

    def _cgroups(self) -> list[Path]:
        """Every cgroup of the subtree, the deepest first. os.walk passes over a directory that goes
        while it walks (the container runtime removes cgroups too)."""
        found = [
            Path(parent)
            for directory in self.directories
            for parent, _, _ in os.walk(directory, topdown=False)
        ]
        return sorted(found, key=lambda path: -len(path.parts))

    def remove(self, timeout: float = 30.0) -> None:
        """Kill whatever still runs in the subtree, wait until it has left, then remove the subtree, the
        deepest cgroups first."""
        deadline = time.monotonic() + timeout
        while members := set(self.member_pids()):
            if time.monotonic() >= deadline:
                raise ServerError(f"processes {sorted(members)} stay in cgroup {self.name}")
            for pid in members:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(_POLL_SECONDS)
        for cgroup in self._cgroups():
            _remove_cgroup(cgroup, deadline)


def _remove_cgroup(cgroup: Path, deadline: float) -> None:
    """rmdir, until the cgroup is gone: the kernel answers ENODEV for one already being destroyed (the
    runtime removed it a moment ago) and EBUSY for a parent whose child is still going."""
    while True:
        try:
            cgroup.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as error:
            if error.errno not in (errno.ENODEV, errno.EBUSY) or time.monotonic() >= deadline:
                raise
        time.sleep(_POLL_SECONDS)


def _hierarchies() -> list[Path]:
    """Every mounted cgroup hierarchy: the v1 ones (cpu, memory, ..., systemd's named one) and, on a
    hybrid machine, the unified v2 one, where runc mirrors each container's cgroup."""
    mounts = Path("/proc/mounts").read_text().splitlines()
    return [
        Path(fields[1]) for fields in (line.split() for line in mounts) if fields[2] in {"cgroup", "cgroup2"}
    ]


class Kubelet(Server):
    name = "kubelet"

    def __init__(
        self,
        data_dir: Path,
        placement: Placement,
        *,
        control_plane: ControlPlane,
        runtime_endpoint: str,
        cgroup_root: CgroupRoot,
    ) -> None:
        super().__init__(data_dir, placement)
        self.control_plane = control_plane
        self.runtime_endpoint = runtime_endpoint
        self.cgroup_root = cgroup_root

    @property
    def ports(self) -> Sequence[int]:
        return [_KUBELET_HEALTH_PORT]

    def _prepare(self) -> None:
        install.ensure_kubernetes()
        self.cgroup_root.create()
        write_user_kubeconfig(self.data_dir / "kubelet.kubeconfig", self.control_plane.apiserver, NODE_USER)
        # Pods that resolve with the node's settings (dnsPolicy Default) get nothing outside the cluster.
        (self.data_dir / "resolv.conf").write_text(f"search {CLUSTER_DOMAIN}\nnameserver {CLUSTER_DNS}\n")
        config = {
            "apiVersion": "kubelet.config.k8s.io/v1beta1",
            "kind": "KubeletConfiguration",
            "cgroupDriver": "cgroupfs",
            "cgroupRoot": f"/{self.cgroup_root.name}",
            # Kubernetes 1.34 still runs on cgroup v1, the only kind this machine has.
            "failCgroupV1": False,
            "failSwapOn": False,
            "containerRuntimeEndpoint": self.runtime_endpoint,
            "clusterDNS": [CLUSTER_DNS],
            "clusterDomain": CLUSTER_DOMAIN,
            "resolvConf": str(self.data_dir / "resolv.conf"),
            "address": self.placement.address,
            "readOnlyPort": 0,
            "healthzBindAddress": self.placement.address,
            "healthzPort": _KUBELET_HEALTH_PORT,
            "authentication": {
                "anonymous": {"enabled": False},
                "webhook": {"enabled": True},
                "x509": {"clientCAFile": str(self.control_plane.credentials.kubelet_client.ca_file)},
            },
            "authorization": {"mode": "Webhook"},
            "serializeImagePulls": False,
            # The images are imported, never pulled: never collect them, whatever the disk says.
            "imageGCHighThresholdPercent": 100,
            "imageGCLowThresholdPercent": 99,
            "evictionHard": {
                "memory.available": "200Mi",
                "nodefs.available": "1%",
                "imagefs.available": "1%",
            },
        }
        (self.data_dir / "config.yaml").write_text(yaml.safe_dump(config))

    def _command(self) -> list[str]:
        return [
            str(install.ensure_kubernetes().kubelet),
            f"--config={self.data_dir / 'config.yaml'}",
            f"--kubeconfig={self.data_dir / 'kubelet.kubeconfig'}",
            f"--root-dir={self.data_dir / 'root'}",
            f"--cert-dir={self.data_dir / 'pki'}",
            f"--hostname-override={NODE_NAME}",
            f"--node-ip={self.placement.address}",
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"http://{self.placement.address}:{_KUBELET_HEALTH_PORT}/healthz")


class KubeProxy(Server):
    name = "kube-proxy"

    def __init__(
        self, data_dir: Path, placement: Placement, *, control_plane: ControlPlane, cluster_cidr: str
    ) -> None:
        super().__init__(data_dir, placement)
        self.control_plane = control_plane
        self.cluster_cidr = cluster_cidr

    @property
    def ports(self) -> Sequence[int]:
        return [_KUBE_PROXY_HEALTH_PORT]

    def _prepare(self) -> None:
        install.ensure_kubernetes()
        kubeconfig = self.data_dir / "kube-proxy.kubeconfig"
        write_user_kubeconfig(kubeconfig, self.control_plane.apiserver, KUBE_PROXY_USER)
        config = {
            "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
            "kind": "KubeProxyConfiguration",
            "mode": "nftables",
            "clientConnection": {"kubeconfig": str(kubeconfig)},
            "hostnameOverride": NODE_NAME,
            "clusterCIDR": self.cluster_cidr,
            "bindAddress": self.placement.address,
            "healthzBindAddress": f"{self.placement.address}:{_KUBE_PROXY_HEALTH_PORT}",
            "metricsBindAddress": "127.0.0.1:10249",
            # conntrack's table size is the host's (only the initial network namespace may set it).
            "conntrack": {
                "maxPerCore": 0,
                "min": 0,
                "tcpEstablishedTimeout": "0s",
                "tcpCloseWaitTimeout": "0s",
            },
        }
        (self.data_dir / "config.yaml").write_text(yaml.safe_dump(config))

    def _command(self) -> list[str]:
        return [str(install.ensure_kubernetes().kube_proxy), f"--config={self.data_dir / 'config.yaml'}"]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"http://{self.placement.address}:{_KUBE_PROXY_HEALTH_PORT}/healthz")

"""The node's NetworkPolicy firewall: kube-router with its firewall alone (no routing, no service proxy).

The bridge CNI connects Pods but enforces no NetworkPolicy; kube-router turns every policy into
iptables rules and ipsets on the node, for Pods on the bridge (bridged traffic passes iptables in the
node's namespace) and for what the node itself sends them.
"""

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tickethub.stack import probes
from tickethub.stack.control_plane import (
    KUBE_ROUTER_USER,
    NODE_NAME,
    SERVICE_CLUSTER_IP_RANGE,
    ControlPlane,
    write_user_kubeconfig,
)
from tickethub.stack.node import installs
from tickethub.stack.processes import Placement, Server

_HEALTH_PORT = 20244
_FORWARD_CHAIN = "KUBE-ROUTER-FORWARD"  # where it hooks every Pod's policy chains into FORWARD


class NetworkPolicyFirewall(Server):
    name = "kube-router"

    def __init__(self, data_dir: Path, placement: Placement, *, control_plane: ControlPlane) -> None:
        super().__init__(data_dir, placement)
        self.control_plane = control_plane

    @property
    def ports(self) -> Sequence[int]:
        return [_HEALTH_PORT]

    @property
    def kubeconfig(self) -> Path:
        return self.data_dir / "kube-router.kubeconfig"

    def _prepare(self) -> None:
        installs.ensure_kube_router()
        write_user_kubeconfig(self.kubeconfig, self.control_plane.apiserver, KUBE_ROUTER_USER)

    def _command(self) -> list[str]:
        return [
            str(installs.ensure_kube_router()),
            "--run-firewall=true",
            "--run-router=false",
            "--run-service-proxy=false",
            f"--kubeconfig={self.kubeconfig}",
            f"--hostname-override={NODE_NAME}",
            f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
            f"--health-port={_HEALTH_PORT}",
        ]

    def _is_ready(self) -> bool:
        """Its chains are in place: its health endpoint answers before its controller has started
        (which may still fail)."""
        if not probes.http_ok(f"http://{self.placement.address}:{_HEALTH_PORT}/healthz"):
            return False
        listed = subprocess.run(
            [*self.placement.launcher, "iptables", "--wait", "--list-rules", _FORWARD_CHAIN],
            capture_output=True,
            check=False,
        )
        return listed.returncode == 0

"""The node's own network and mount namespaces, held open by one small process, and the veth into them.

Every process of the node (control plane, containerd, kubelet, kube-proxy) runs in these namespaces
through the `enter` script (`Placement.launcher`). The kubelet insists on kernel tunables such as
kernel.panic_on_oops=1; on a shared machine that would turn any kernel oops into a reboot, so the host's
values are never touched: the holder bind-mounts files with the values the kubelet wants over those
/proc/sys entries inside the node's mount namespace only, and whatever the kubelet writes lands in
those files. Network settings (net.*) belong to the node's own network namespace anyway.

Nothing outlives the node: the namespaces go when their last process exits, and the veth pair with
its network namespace.
"""

import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tickethub.stack.processes import Placement, Server, ServerError

# What the kubelet checks (and would set) at start, with the values it wants.
KUBELET_TUNABLES = {
    "vm/overcommit_memory": "1",
    "vm/panic_on_oom": "0",
    "kernel/panic": "10",
    "kernel/panic_on_oops": "1",
    "kernel/keys/root_maxkeys": "1000000",
    "kernel/keys/root_maxbytes": "25000000",
}
NODE_INTERFACE = "eth0"
_SUBNET_PREFIX = "10.250"  # 10.250.<index>.0/30 per node; nothing on this machine uses it
_HOST_INTERFACE_PREFIX = "thnode"
_POLL_SECONDS = 0.1
_IP = "/usr/sbin/ip"  # iproute2, on every Debian


@dataclass(frozen=True)
class NodeNetwork:
    """The veth pair between this machine and one node: a /30 of its own, `.1` here and `.2` there."""

    index: int

    @property
    def host_address(self) -> str:
        return f"{_SUBNET_PREFIX}.{self.index}.1"

    @property
    def node_address(self) -> str:
        return f"{_SUBNET_PREFIX}.{self.index}.2"

    @property
    def host_interface(self) -> str:
        return f"{_HOST_INTERFACE_PREFIX}{self.index}"

    @classmethod
    def unused(cls) -> "NodeNetwork":
        """The lowest index no interface of this machine uses (another node's, say)."""
        taken = _host_interface_text()
        for index in range(256):
            network = cls(index)
            if network.host_interface not in taken and f"{_SUBNET_PREFIX}.{index}." not in taken:
                return network
        raise ServerError("every node network is in use")


class NodeNamespaces(Server):
    """The holder: a shell that makes the namespaces, mounts the tunables, then sleeps while the node
    lives."""

    name = "node-namespaces"

    def __init__(self, data_dir: Path, network: NodeNetwork) -> None:
        super().__init__(data_dir)
        self.network = network

    @property
    def ports(self) -> Sequence[int]:
        return []

    @property
    def enter_script(self) -> Path:
        """`enter <command>...` runs a command inside the node's namespaces."""
        return self.data_dir / "enter"

    @property
    def inside(self) -> Placement:
        """Where the node's processes run: in these namespaces, listening on the node's address."""
        return Placement(address=self.network.node_address, launcher=(str(self.enter_script),))

    @property
    def _ready_marker(self) -> Path:
        return self.data_dir / "ready"

    def start(self) -> None:
        super().start()
        deadline = time.monotonic() + 10
        while not self._ready_marker.exists():
            if not self.is_running() or time.monotonic() >= deadline:
                raise ServerError(f"{self.name} did not come up:\n{self._log_tail()}")
            time.sleep(_POLL_SECONDS)
        self._connect()

    def _prepare(self) -> None:
        self._ready_marker.unlink(missing_ok=True)
        tunables = self.data_dir / "tunables"
        tunables.mkdir(exist_ok=True)
        mounts = []
        for entry, value in KUBELET_TUNABLES.items():
            holder = tunables / entry.replace("/", ".")
            holder.write_text(f"{value}\n")
            mounts.append(f"mount --bind {holder} /proc/sys/{entry}")
        (self.data_dir / "hold.sh").write_text(
            "set -eu\n"
            + "\n".join(mounts)
            + "\nip link set lo up\n"
            # The node routes between its Pods' bridge and its own address, and traffic between Pods
            # on the bridge passes iptables, where the NetworkPolicy firewall filters it (both settings
            # of the node's own network namespace).
            + "sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1\n"
            + f"touch {self._ready_marker}\n"
            + "exec sleep infinity\n"
        )
        self.enter_script.write_text(
            "#!/bin/sh\n"
            "# Runs a command inside the node's network and mount namespaces (those of its holder).\n"
            f'exec nsenter --target "$(cut -d" " -f1 {self.pid_file})" --mount --net -- "$@"\n'
        )
        self.enter_script.chmod(0o755)

    def _command(self) -> list[str]:
        # No --fork: without a PID namespace unshare execs the shell itself, so its pid is the holder's.
        return ["unshare", "--mount", "--net", "--propagation=private", "sh", str(self.data_dir / "hold.sh")]

    def _connect(self) -> None:
        """The veth pair: this machine's end here, `eth0` in the node, each with its address."""
        pid = self.pid()
        network = self.network
        if network.host_interface not in _host_interface_text():
            peer = ["peer", "name", NODE_INTERFACE, "netns", str(pid)]
            _ip("link", "add", network.host_interface, "type", "veth", *peer)
            _ip("address", "add", f"{network.host_address}/30", "dev", network.host_interface)
            _ip("link", "set", network.host_interface, "up")
            inside = ["nsenter", f"--target={pid}", "--net", _IP]
            _run([*inside, "address", "add", f"{network.node_address}/30", "dev", NODE_INTERFACE])
            _run([*inside, "link", "set", NODE_INTERFACE, "up"])
            # Services' cluster IPs are routed nowhere: without a default route the node's own
            # processes (the API server calling a webhook's Service) fail before kube-proxy's rules
            # can rewrite the address. Nothing leaves through it: this machine does not NAT the node.
            _run([*inside, "route", "add", "default", "via", network.host_address])

    def _is_ready(self) -> bool:
        return self._ready_marker.exists() and self.network.host_address in _host_interface_text()

    def member_pids(self) -> Iterator[int]:
        """Every process in the node's network namespace (the node's own processes, not its Pods')."""
        pid = self.pid()
        if pid is None:
            return
        namespace = os.readlink(f"/proc/{pid}/ns/net")
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.readlink(entry / "ns" / "net") == namespace:
                        yield int(entry.name)
                except OSError:  # it exited meanwhile
                    continue


def _host_interface_text() -> str:
    return subprocess.run([_IP, "-o", "address", "show"], capture_output=True, text=True, check=True).stdout


def _ip(*args: str) -> None:
    _run([_IP, *args])


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServerError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")

"""The local node's own promises: the host's kernel settings are never touched, and taking the node
down leaves nothing of it on this machine (TicketHub on it is tests/cluster's)."""

import os
import subprocess
from pathlib import Path

import pytest

from tickethub.stack.node.cluster import LocalCluster
from tickethub.stack.node.namespaces import KUBELET_TUNABLES
from tickethub.stack.ports import free_port


def host_tunables() -> dict[str, str]:
    return {entry: Path(f"/proc/sys/{entry}").read_text().strip() for entry in KUBELET_TUNABLES}


def node_leftovers(node: LocalCluster) -> list[str]:
    """Whatever of the node this machine still has: processes, mounts, cgroups, its end of the veth."""
    leftovers = [f"cgroup {path}" for path in node.cgroups.directories if path.exists()]
    mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    leftovers += [f"mount {line}" for line in mounts if str(node.data_dir) in line]
    interfaces = subprocess.run(
        ["/usr/sbin/ip", "-o", "link", "show"], capture_output=True, text=True, check=True
    )
    if node.namespaces.network.host_interface in interfaces.stdout:
        leftovers.append(f"interface {node.namespaces.network.host_interface}")
    data = str(node.data_dir)
    for process in Path("/proc").iterdir():
        try:
            command = (process / "cmdline").read_bytes().decode(errors="replace")
            state = (process / "stat").read_text().split()[2]
        except OSError:
            continue
        if data in command and state != "Z":  # every process of the node names its data directory
            leftovers.append(f"process {process.name}: {command.replace(chr(0), ' ')[:120]}")
    return leftovers


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> LocalCluster:
    return LocalCluster(tmp_path_factory.mktemp("node"), ingress_port=free_port(), persistent=False)


def test_the_kubelet_gets_its_tunables_inside_the_node_and_the_host_keeps_its_own(node: LocalCluster) -> None:
    before = host_tunables()
    try:
        node.start_node()
        inside = subprocess.run(
            [str(node.namespaces.enter_script), "cat", *(f"/proc/sys/{entry}" for entry in KUBELET_TUNABLES)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert dict(zip(KUBELET_TUNABLES, inside, strict=True)) == KUBELET_TUNABLES
        assert host_tunables() == before
        assert node.cgroups.directories and all(path.is_dir() for path in node.cgroups.directories)
        assert os.readlink(f"/proc/{node.kubelet.pid()}/ns/net") != os.readlink("/proc/self/ns/net")
    finally:
        node.down()
    assert host_tunables() == before


def test_taking_the_node_down_leaves_nothing_behind(node: LocalCluster) -> None:
    assert node_leftovers(node) == []

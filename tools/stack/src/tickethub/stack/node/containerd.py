"""containerd with runc and the bridge CNI, the node's container runtime (Debian's containerd 1.6).

Its root, state, socket and CNI state all live under its data directory, so it never meets a
containerd of this machine's. Images come from archives (`import_image`): nothing is ever pulled.
"""

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tickethub.stack.processes import Placement, Server

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
# The Kubernetes namespace of containerd, where the CRI keeps the images Pods run.
_CRI_NAMESPACE = "k8s.io"
_CNI_PLUGINS = Path("/usr/lib/cni")  # Debian's containernetworking-plugins
_IMPORT_TIMEOUT_SECONDS = 600.0
_CTR = "/usr/bin/ctr"  # containerd's own client, from the same Debian package
_CRI_SERVING = b"Start streaming server"


class Containerd(Server):
    name = "containerd"

    def __init__(self, data_dir: Path, placement: Placement, *, pod_subnet: str) -> None:
        super().__init__(data_dir, placement)
        self.pod_subnet = pod_subnet
        self._log_start = 0

    @property
    def ports(self) -> Sequence[int]:
        return []  # a Unix socket only

    @property
    def socket(self) -> Path:
        return self.data_dir / "containerd.sock"

    @property
    def endpoint(self) -> str:
        """What the kubelet's containerRuntimeEndpoint names."""
        return f"unix://{self.socket}"

    def _prepare(self) -> None:
        self._log_start = self.log_file.stat().st_size if self.log_file.exists() else 0  # appended to
        cni = self.data_dir / "cni"
        (cni / "net.d").mkdir(parents=True, exist_ok=True)
        (cni / "net.d" / "10-tickethub.conflist").write_text(json.dumps(self._cni_network(cni / "ipam")))
        config = f"""version = 2
root = "{self.data_dir / "root"}"
state = "{self.data_dir / "state"}"
[grpc]
  address = "{self.socket}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE_IMAGE}"
  # Root here may not raise a process's OOM score (no CAP_SYS_RESOURCE): keep runc from trying.
  restrict_oom_score_adj = true
  # Pods' unprivileged users may bind ports below 1024 in their own network namespaces (DNS on 53).
  enable_unprivileged_ports = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroup v1 without systemd: the kubelet's cgroupfs driver.
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{_CNI_PLUGINS}"
    conf_dir = "{cni / "net.d"}"
"""
        (self.data_dir / "config.toml").write_text(config)

    def _cni_network(self, ipam_dir: Path) -> dict[str, object]:
        """One bridge for every Pod of the node; `portmap` serves hostPorts (the Ingress controller's)."""
        return {
            "cniVersion": "1.0.0",
            "name": "tickethub",
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": "cni0",
                    "isGateway": True,
                    "ipMasq": True,
                    "hairpinMode": True,
                    "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": self.pod_subnet}]],
                        "routes": [{"dst": "0.0.0.0/0"}],
                        "dataDir": str(ipam_dir),
                    },
                },
                {"type": "portmap", "capabilities": {"portMappings": True}},
            ],
        }

    def _command(self) -> list[str]:
        return ["/usr/bin/containerd", f"--config={self.data_dir / 'config.toml'}"]

    def _is_ready(self) -> bool:
        """Its CRI serves: the kubelet checks the runtime once and exits on "server is not initialized
        yet", which the CRI answers while it recovers its containers, after the socket is up. Its last
        step before serving is the streaming server, which it logs."""
        if not (self.socket.exists() and self._ctr("version", check=False).returncode == 0):
            return False
        with self.log_file.open("rb") as log:
            log.seek(self._log_start)
            return _CRI_SERVING in log.read()

    def import_image(self, archive: Path) -> None:
        """Import an image archive (OCI layout or `docker save`) under the names it carries."""
        self._ctr("--namespace", _CRI_NAMESPACE, "images", "import", str(archive))

    def tag_image(self, name: str, tag: str) -> str:
        """The image `name` also under `tag` (the same repository); returns the new name."""
        tagged = f"{name.rsplit(':', 1)[0]}:{tag}"
        self._ctr("--namespace", _CRI_NAMESPACE, "images", "tag", "--force", name, tagged)
        return tagged

    def image_names(self) -> set[str]:
        listing = self._ctr("--namespace", _CRI_NAMESPACE, "images", "list", "--quiet").stdout
        return set(listing.split())

    def _ctr(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [_CTR, f"--address={self.socket}", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=_IMPORT_TIMEOUT_SECONDS,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"ctr {' '.join(args)} failed: {result.stderr.strip()}")
        return result

"""Container images of one static binary, written as OCI image archives without any image builder.

The pause container, CoreDNS and Traefik are single static executables; an image of one layer holding
that file (owned by root, run as an unprivileged user) is all a Pod needs, and containerd imports the
archive under the name the Pods ask for. The archive is reproducible: no timestamps, sorted JSON.
"""

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_CONFIG = "application/vnd.oci.image.config.v1+json"
_LAYER = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class BinaryImage:
    """`name` (a full reference such as registry.k8s.io/pause:3.10) running `binary` as `user`."""

    name: str
    binary: Path
    args: tuple[str, ...] = ()
    user: str = "65532:65532"

    def write(self, archive: Path) -> Path:
        """The OCI image layout of this image as a tar file at `archive`."""
        entrypoint = f"/{self.binary.name}"
        layer = _tar({self.binary.name: (self.binary.read_bytes(), 0o755)})
        config = _json(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {"Entrypoint": [entrypoint], "Cmd": list(self.args), "User": self.user},
                "rootfs": {"type": "layers", "diff_ids": [_digest(layer)]},
            }
        )
        manifest = _json(
            {
                "schemaVersion": 2,
                "mediaType": _MANIFEST,
                "config": {"mediaType": _CONFIG, "digest": _digest(config), "size": len(config)},
                "layers": [{"mediaType": _LAYER, "digest": _digest(layer), "size": len(layer)}],
            }
        )
        index = _json(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": _MANIFEST,
                        "digest": _digest(manifest),
                        "size": len(manifest),
                        # The first is the OCI name; containerd's import names the image by the second.
                        "annotations": {
                            "org.opencontainers.image.ref.name": self.name,
                            "io.containerd.image.name": self.name,
                        },
                    }
                ],
            }
        )
        files = {
            f"blobs/sha256/{_digest(blob).split(':')[1]}": (blob, 0o644) for blob in (layer, config, manifest)
        }
        files |= {"index.json": (index, 0o644), "oci-layout": (_json({"imageLayoutVersion": "1.0.0"}), 0o644)}
        archive.parent.mkdir(parents=True, exist_ok=True)
        archive.write_bytes(_tar(files))
        return archive


def _tar(files: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, (content, mode) in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(content), mode, 0
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _json(document: object) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _digest(blob: bytes) -> str:
    return f"sha256:{hashlib.sha256(blob).hexdigest()}"

"""What every cluster has besides the node: the pause image, CoreDNS and the Ingress controller.

Their manifests are k8s/cluster/*.yaml; their images are made here from single static binaries
(tickethub.stack.node.oci) and imported into the node's containerd under the names those manifests
and containerd's configuration ask for.
"""

from pathlib import Path

import yaml

from tickethub.stack.node import installs
from tickethub.stack.node.containerd import PAUSE_IMAGE, Containerd
from tickethub.stack.node.oci import BinaryImage
from tickethub.stack.routes import repo_root

COREDNS_IMAGE = f"tickethub.local/coredns:{installs.COREDNS_VERSION}"
TRAEFIK_IMAGE = f"tickethub.local/traefik:v{installs.TRAEFIK_VERSION}"
MANIFESTS = ("k8s/cluster/coredns.yaml", "k8s/cluster/traefik.yaml")
# The Deployments those manifests make, (namespace, name): ready when these are Available.
DEPLOYMENTS = (("kube-system", "coredns"), ("ingress", "traefik"))
# The IngressClass the manifests register; the chart's values for this cluster name it.
INGRESS_CLASS = "traefik"


def addon_images() -> list[BinaryImage]:
    # The pause process runs as root, as containerd starts every sandbox.
    return [
        BinaryImage(PAUSE_IMAGE, installs.ensure_pause(), user="0:0"),
        BinaryImage(COREDNS_IMAGE, installs.ensure_coredns()),
        BinaryImage(TRAEFIK_IMAGE, installs.ensure_traefik()),
    ]


def import_addon_images(containerd: Containerd, archives: Path) -> None:
    for image in addon_images():
        if image.name not in containerd.image_names():
            file_name = image.name.rsplit("/", 1)[-1].replace(":", "-") + ".tar"
            containerd.import_image(image.write(archives / file_name))


def manifest_images(root: Path | None = None) -> set[str]:
    """Every image the addon manifests name (each must be one addon_images() makes)."""
    root = root or repo_root()
    return {
        container["image"]
        for manifest in MANIFESTS
        for document in yaml.safe_load_all((root / manifest).read_text())
        if document["kind"] == "Deployment"
        for container in document["spec"]["template"]["spec"]["containers"]
    }

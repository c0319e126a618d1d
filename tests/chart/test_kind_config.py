"""k8s/kind: ctlptl.yaml embeds the cluster of cluster.yaml, and the pinned kind release accepts both
and refuses a misspelled field.

`kind create cluster` decodes its config strictly (an unknown field is an error) and validates it
before it ensures the node image, the first step that needs a registry. Against a private Docker
daemon that cannot pull, a valid config therefore fails exactly at the pull and an invalid one
before it, and neither leaves anything behind.
"""

import os
import re
import subprocess
import tomllib
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tickethub.stack import images, install
from tickethub.stack.images import Docker, DockerDaemon
from tickethub.stack.ports import free_port
from tickethub.stack.routes import repo_root

CLUSTER = repo_root() / "k8s" / "kind" / "cluster.yaml"
CTLPTL = repo_root() / "k8s" / "kind" / "ctlptl.yaml"
# ctlptl fills these in when it hands kindV1Alpha4Cluster to kind.
KIND_TYPE = {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4"}
# What the containerd patch ctlptl adds to a kind (>= 0.20) cluster with a registry sets.
REGISTRY_HOSTS_DIR = {
    "plugins": {"io.containerd.grpc.v1.cri": {"registry": {"config_path": "/etc/containerd/certs.d"}}}
}
# kind labels every container of a cluster with the cluster's name.
CLUSTER_LABEL = "io.x-k8s.kind.cluster"
PULL_FAILED = re.compile(r'^ERROR: failed to create cluster: failed to pull image "([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class Breakage:
    """A one-line edit of cluster.yaml and what kind says of the result."""

    text: str
    replacement: str
    reasons: tuple[str, ...]


# One copy kind cannot decode, one it decodes but finds invalid.
BROKEN = {
    "misspelled": Breakage(
        "extraPortMappings:",
        "extraPortMapings:",
        (
            "unable to decode config: yaml: unmarshal errors:",
            "field extraPortMapings not found in type v1alpha4.Node",
        ),
    ),
    "port out of range": Breakage(
        "hostPort: 80,",
        "hostPort: 99999,",
        ("invalid configuration for node 0: invalid hostPort", "invalid port number: 99999"),
    ),
}


class RegistrylessDockerDaemon(DockerDaemon):
    """A private dockerd that sends every registry connection to a "proxy" on a loopback port that was
    free when it started: nothing can be pulled, so kind never gets past its node image here (and
    never binds the host ports the config maps)."""

    def _environment(self) -> Mapping[str, str]:
        proxy = f"http://127.0.0.1:{free_port()}"
        proxies = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"), proxy)
        return {**os.environ, **proxies, "NO_PROXY": "", "no_proxy": ""}


@dataclass(frozen=True)
class DaemonObjects:
    containers: frozenset[str]
    networks: frozenset[str]


@dataclass(frozen=True)
class Attempt:
    """One `kind create cluster` and what it printed (kind reports progress and errors on stderr)."""

    cluster: str
    returncode: int
    output: str


@dataclass(frozen=True)
class Attempts:
    by_config: dict[str, Attempt]
    before: DaemonObjects
    kubeconfig: Path


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def ctlptl_kind_cluster() -> dict[str, Any]:
    (cluster,) = [doc for doc in yaml.safe_load_all(CTLPTL.read_text()) if doc["kind"] == "Cluster"]
    kind_cluster: dict[str, Any] = cluster["kindV1Alpha4Cluster"]
    return kind_cluster


def node_image(config: Mapping[str, Any]) -> str:
    (node,) = config["nodes"]
    image: str = node["image"]
    return image


def daemon_objects(docker: Docker) -> DaemonObjects:
    return DaemonObjects(
        containers=frozenset(docker("ps", "--all", "--format={{.Names}}").split()),
        networks=frozenset(docker("network", "ls", "--format={{.Name}}").split()),
    )


def kind_environment(docker: Docker, kubeconfig: Path) -> dict[str, str]:
    """kind runs `docker` from PATH: the daemon's own client, pointed at it by DOCKER_HOST; a
    kubeconfig of the test's own keeps the user's untouched."""
    path = f"{docker.client.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, **docker.environment, "PATH": path, "KUBECONFIG": str(kubeconfig)}


def create_cluster(config: Path | None, cluster: str, environment: Mapping[str, str]) -> Attempt:
    config_args = [] if config is None else ["--config", str(config)]
    created = subprocess.run(
        [str(install.ensure_kind()), "create", "cluster", "--name", cluster, *config_args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    return Attempt(cluster=cluster, returncode=created.returncode, output=created.stdout + created.stderr)


@pytest.fixture(scope="module")
def docker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Docker]:
    images.ensure_docker_packages()
    home = tmp_path_factory.mktemp("kind-docker")
    with RegistrylessDockerDaemon(home / "daemon", home / "data-root") as daemon:
        yield daemon.client()


@pytest.fixture(scope="module")
def attempts(docker: Docker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attempts]:
    """Every config through `kind create cluster` at once: each valid one waits out kind's pull
    retries (about 10 s), which need not add up."""
    work = tmp_path_factory.mktemp("kind-configs")
    from_ctlptl = work / "ctlptl-cluster.yaml"
    from_ctlptl.write_text(yaml.safe_dump({**KIND_TYPE, **ctlptl_kind_cluster()}, sort_keys=False))
    configs: dict[str, Path | None] = {"cluster.yaml": CLUSTER, "ctlptl.yaml": from_ctlptl, "default": None}
    for label, breakage in BROKEN.items():
        broken = work / f"{label.replace(' ', '-')}.yaml"
        broken.write_text(CLUSTER.read_text().replace(breakage.text, breakage.replacement))
        configs[label] = broken
    clusters = {label: f"tickethub-check-{uuid.uuid4().hex[:8]}" for label in configs}
    kubeconfig = work / "kubeconfig"
    environment = kind_environment(docker, kubeconfig)
    install.ensure_kind()  # built once, before the parallel runs ask for it
    before = daemon_objects(docker)
    try:
        with ThreadPoolExecutor(max_workers=len(configs)) as pool:
            runs = {
                label: pool.submit(create_cluster, config, clusters[label], environment)
                for label, config in configs.items()
            }
        yield Attempts({label: run.result() for label, run in runs.items()}, before, kubeconfig)
    finally:
        for cluster in clusters.values():
            if docker("ps", "--all", "--quiet", f"--filter=label={CLUSTER_LABEL}={cluster}").strip():
                subprocess.run(
                    [str(install.ensure_kind()), "delete", "cluster", "--name", cluster],
                    env=environment,
                    capture_output=True,
                    check=False,
                    timeout=180,
                )


def test_ctlptl_creates_the_cluster_of_cluster_yaml() -> None:
    standalone = load(CLUSTER)
    embedded = ctlptl_kind_cluster()
    # The one legitimate difference: ctlptl appends the registry patch itself (and then writes each
    # registry's hosts.toml into the nodes), so its copy leaves it out instead of doubling it.
    (registry_patch,) = standalone.pop("containerdConfigPatches")
    assert tomllib.loads(registry_patch) == REGISTRY_HOSTS_DIR
    assert "containerdConfigPatches" not in embedded
    assert {**KIND_TYPE, **embedded} == standalone


def test_kind_is_the_pinned_release() -> None:
    reported = subprocess.run(
        [str(install.ensure_kind()), "version", "--quiet"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert f"v{reported}" == install.KIND_VERSION


def test_the_node_image_is_the_default_of_the_pinned_kind(attempts: Attempts) -> None:
    default = attempts.by_config["default"]
    pulled = PULL_FAILED.search(default.output)
    assert pulled is not None, default.output
    assert "@sha256:" in pulled.group(1)
    assert node_image(load(CLUSTER)) == pulled.group(1)


@pytest.mark.parametrize("label", ["cluster.yaml", "ctlptl.yaml"])
def test_kind_accepts_the_config_and_stops_only_at_pulling_the_node_image(
    attempts: Attempts, label: str
) -> None:
    attempt = attempts.by_config[label]
    assert attempt.returncode != 0, attempt.output
    # "Creating cluster" comes after the config was decoded and validated; the pull is the next step.
    assert f'Creating cluster "{attempt.cluster}" ...' in attempt.output
    pulled = PULL_FAILED.search(attempt.output)
    assert pulled is not None, attempt.output
    assert pulled.group(1) == node_image(load(CLUSTER))


@pytest.mark.parametrize("label", BROKEN)
def test_kind_refuses_a_broken_config_before_any_image_step(attempts: Attempts, label: str) -> None:
    attempt = attempts.by_config[label]
    assert attempt.returncode != 0, attempt.output
    assert attempt.output.startswith("ERROR: failed to create cluster: "), attempt.output
    assert all(reason in attempt.output for reason in BROKEN[label].reasons), attempt.output
    assert "Creating cluster" not in attempt.output
    assert "Ensuring node image" not in attempt.output


def test_a_failed_create_leaves_nothing_behind(attempts: Attempts, docker: Docker) -> None:
    after = daemon_objects(docker)
    clusters = [attempt.cluster for attempt in attempts.by_config.values()]
    assert not [name for name in after.containers if name.startswith(tuple(clusters))]
    assert after == attempts.before
    # kind writes a cluster's kubeconfig entry only once the cluster runs.
    assert not attempts.kubeconfig.exists()

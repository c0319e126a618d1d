"""Every image is built, runs as user 10001 without build tools, stays small, and starts healthy.

Each service's container migrates its own database (the command the chart's migrations Job runs),
serves against the test PostgreSQL, Redis, Kafka and SMTP on the host's network until /readyz answers
200, and serves its metrics from its read-only root; the operator's container logs in to a real
kube-apiserver with its ServiceAccount's token and serves its admission webhook until /healthz
answers 200.
"""

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tickethub.stack import images
from tickethub.stack.certificates import serving_certificate
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.helm import helm_template, objects
from tickethub.stack.images import Docker
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.routes import repo_root
from tickethub.stack.show_api import NAMESPACE, OPERATOR_ACCOUNT, WEBHOOK_PATH, install_show_api
from tickethub.stack.topology import chart_services
from tickethub.testing import label_values, sample_total
from tickethub.web.app import docs_path
from tickethub.web.metrics import METRICS_PATH

pytestmark = pytest.mark.integration

USER = "10001"
# What an image may add to its base: the package's virtual environment with compiled bytecode, nothing
# else. Measured: 145-163 MB for the services (asyncpg, cryptography, uvloop, Kafka and OpenTelemetry
# clients; piccolo brings faker), 34 MB for the operator. uv alone would add about 45 MB, a C compiler
# over 100 MB, uv's download cache or the source tree more: each breaks its bound.
ADDED_BYTES_BOUND = {"operator": 45_000_000}
SERVICE_ADDED_BYTES_BOUND = 180_000_000
SERVICES = tuple(chart_services())
# Searches the whole file system for installers and compilers, and for pip, uv and setuptools as
# packages, wherever they are (on PATH or not, importable or not).
BUILD_TOOLS_PROBE = """
import json, os
commands = {"uv", "uvx", "pip", "pip3", "gcc", "cc", "c++", "make"}
packages = {"pip", "uv", "setuptools"}
found = []
for directory, subdirectories, files in os.walk("/"):
    if directory in ("/proc", "/sys", "/dev"):
        subdirectories.clear()
        continue
    found += [os.path.join(directory, name) for name in files if name in commands]
    found += [
        os.path.join(directory, name) for name in subdirectories
        if name in packages and os.path.exists(os.path.join(directory, name, "__init__.py"))
    ]
print(json.dumps(sorted(found)))
"""


def test_every_package_has_its_image(docker: Docker, built: dict[str, str]) -> None:
    assert sorted(built) == sorted(images.PACKAGES)
    for package, tag in built.items():
        image = docker.image(tag)
        assert image is not None, tag
        labels = image["Config"]["Labels"]
        assert labels["org.opencontainers.image.title"] == f"tickethub-{package}"
        assert labels["org.opencontainers.image.version"] == tag.rsplit(":", 1)[1]


def test_the_chart_runs_exactly_the_images_make_images_builds(built: dict[str, str]) -> None:
    version = next(iter(built.values())).rsplit(":", 1)[1]
    rendered = helm_template(repo_root() / "charts" / "tickethub", settings=[f"image.tag={version}"])
    containers = [
        container
        for manifest in objects(rendered)
        if manifest["kind"] in {"Deployment", "StatefulSet", "Job"}
        for container in manifest["spec"]["template"]["spec"]["containers"]
    ]
    ours = {container["image"] for container in containers if container["image"].startswith("tickethub/")}
    assert ours == set(built.values())


@pytest.mark.parametrize("package", images.PACKAGES)
def test_runs_as_unprivileged_user(docker: Docker, built: dict[str, str], package: str) -> None:
    image = docker.image(built[package])
    assert image is not None
    assert image["Config"]["User"] == f"{USER}:{USER}"
    assert docker.run(built[package], "id", "-u").strip() == USER
    assert docker.run(built[package], "id", "-g").strip() == USER
    # ... and cannot change its own code.
    writable = "import os, sys; print(os.access(sys.prefix, os.W_OK) or os.access(sys.path[-1], os.W_OK))"
    assert docker.run(built[package], "python", "-c", writable).strip() == "False"


@pytest.mark.parametrize("package", images.PACKAGES)
def test_has_no_build_tools(docker: Docker, built: dict[str, str], package: str) -> None:
    # As root, so that no directory is closed to the search.
    found = json.loads(docker.run(built[package], "python", "-c", BUILD_TOOLS_PROBE, user="0:0"))
    assert found == []


@pytest.mark.parametrize("package", images.PACKAGES)
def test_adds_only_its_environment_to_the_base(docker: Docker, built: dict[str, str], package: str) -> None:
    image, base = docker.image(built[package]), docker.image(images.base_image_name())
    assert image is not None
    assert base is not None
    added = image["Size"] - base["Size"]
    assert added < ADDED_BYTES_BOUND.get(package, SERVICE_ADDED_BYTES_BOUND), f"{added / 1e6:.0f} MB"


def test_dependencies_are_installed_as_wheels_not_links_to_the_source(
    docker: Docker, built: dict[str, str]
) -> None:
    location = docker.run(built["booking"], "python", "-c", "import booking; print(booking.__file__)")
    assert location.strip().startswith("/opt/tickethub/lib/python3.11/site-packages/booking/")


@pytest.mark.parametrize("service", SERVICES)
def test_service_container_migrates_becomes_ready_and_serves_its_metrics(
    docker: Docker,
    built: dict[str, str],
    service_environment: Callable[[str, str], dict[str, str]],
    service: str,
) -> None:
    environment = service_environment(service, built[service])
    base = f"http://{LOOPBACK}:{environment['UVICORN_PORT']}"
    document = docs_path(service) + "/openapi.json"
    with images.serving(docker, built[service], f"{base}/readyz", environment=environment):
        assert httpx.get(base + document).status_code == 200
        metrics = httpx.get(base + METRICS_PATH)

    assert metrics.status_code == 200
    assert label_values(metrics.text, "target_info", "service_name") == {service}
    assert sample_total(metrics.text, "http_server_request_duration_seconds_count", http_route=document) == 1


def test_operator_container_logs_in_to_kubernetes_and_becomes_healthy(
    docker: Docker, built: dict[str, str], tmp_path: Path
) -> None:
    webhook_port, health_port = free_port(), free_port()
    certificate = serving_certificate(tmp_path / "webhook", common_name=OPERATOR_ACCOUNT, ip=LOOPBACK)
    with ControlPlane(tmp_path / "kubernetes", free_port()) as cluster:
        install_show_api(
            cluster,
            webhook_url=f"https://{LOOPBACK}:{webhook_port}{WEBHOOK_PATH}",
            certificate=certificate,
        )
        kubeconfig = cluster.service_account_kubeconfig(
            NAMESPACE, OPERATOR_ACCOUNT, tmp_path / "operator.kubeconfig"
        )
        mounted = {kubeconfig: "/etc/tickethub/kubeconfig", certificate.cert_file: "/etc/tickethub/tls.crt"}
        mounted[certificate.key_file] = "/etc/tickethub/tls.key"
        for file in mounted:
            file.chmod(0o644)  # the container's user is not this file's owner
        nowhere = f"http://{LOOPBACK}:{free_port()}"  # no service is called before a Show exists
        environment = {
            "KUBECONFIG": "/etc/tickethub/kubeconfig",
            "OPERATOR_NAMESPACE": NAMESPACE,
            "OPERATOR_LISTEN_ADDRESS": LOOPBACK,
            "OPERATOR_HEALTH_PORT": str(health_port),
            "OPERATOR_WEBHOOK_PORT": str(webhook_port),
            "OPERATOR_WEBHOOK_CERT_FILE": "/etc/tickethub/tls.crt",
            "OPERATOR_WEBHOOK_KEY_FILE": "/etc/tickethub/tls.key",
            "CATALOG_URL": nowhere,
            "BOOKING_URL": nowhere,
            "OAUTH_TOKEN_URL": f"{nowhere}/auth/token",
            "OAUTH_CLIENT_ID": OPERATOR_ACCOUNT,
            "OAUTH_CLIENT_SECRET": uuid.uuid4().hex,
        }
        healthz = f"http://{LOOPBACK}:{health_port}/healthz"
        with images.serving(docker, built["operator"], healthz, environment=environment, files=mounted):
            pass

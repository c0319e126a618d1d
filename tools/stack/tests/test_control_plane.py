"""Starts the local Kubernetes control plane in a temporary directory (building it when missing) and
proves that it serves the API: versions, built-in namespaces, CRDs, ServiceAccount tokens, restarts."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tickethub.stack.control_plane import ControlPlane, KubectlError
from tickethub.stack.install import KUBERNETES_VERSION
from tickethub.stack.ports import free_port, port_in_use

pytestmark = pytest.mark.integration

READY_TIMEOUT = 120.0  # a busy 2-core machine

WIDGET_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.tickethub.io
spec:
  group: test.tickethub.io
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    control_plane = ControlPlane(tmp_path_factory.mktemp("kubernetes"), free_port())
    started = time.monotonic()
    control_plane.start()
    try:
        control_plane.wait_ready(READY_TIMEOUT)
        print(f"control plane ready {time.monotonic() - started:.2f} s after start()")
        yield control_plane
    finally:
        control_plane.stop()


def kubectl_json(cluster: ControlPlane, *args: str, kubeconfig: Path | None = None) -> Any:
    return json.loads(cluster.kubectl(*args, "-o", "json", kubeconfig=kubeconfig))


def test_the_server_reports_the_version_that_was_built(cluster: ControlPlane) -> None:
    versions = kubectl_json(cluster, "version")
    assert versions["serverVersion"]["gitVersion"] == KUBERNETES_VERSION
    assert versions["clientVersion"]["gitVersion"] == KUBERNETES_VERSION


def test_the_admin_kubeconfig_names_the_local_cluster(cluster: ControlPlane) -> None:
    assert cluster.kubectl("config", "current-context").strip() == "tickethub-local"
    assert cluster.server_url.startswith("https://127.0.0.1:")
    assert cluster.kubeconfig.stat().st_mode & 0o077 == 0  # it holds the admin's token


def test_the_built_in_namespaces_exist(cluster: ControlPlane) -> None:
    namespaces = kubectl_json(cluster, "get", "namespaces")
    names = {item["metadata"]["name"] for item in namespaces["items"]}
    assert {"default", "kube-system"} <= names


def test_a_custom_resource_round_trips(cluster: ControlPlane) -> None:
    cluster.apply(WIDGET_CRD)
    cluster.wait_established("widgets.test.tickethub.io")
    cluster.apply(
        "apiVersion: test.tickethub.io/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\n"
        "spec: {size: 3}\n"
    )
    widget = kubectl_json(cluster, "get", "widget", "w1", "--namespace", "default")
    assert widget["spec"] == {"size": 3}
    with pytest.raises(KubectlError, match=r"spec\.size"):  # the CRD's schema is enforced
        cluster.apply(
            "apiVersion: test.tickethub.io/v1\nkind: Widget\nmetadata: {name: w2, namespace: default}\n"
            "spec: {size: 0}\n"
        )


def test_a_service_account_token_acts_as_that_service_account_only(
    cluster: ControlPlane, tmp_path: Path
) -> None:
    cluster.kubectl("create", "namespace", "robots")
    cluster.kubectl("create", "serviceaccount", "builder", "--namespace", "robots")
    kubeconfig = cluster.service_account_kubeconfig("robots", "builder", tmp_path / "builder.kubeconfig")

    whoami = kubectl_json(cluster, "auth", "whoami", kubeconfig=kubeconfig)
    assert whoami["status"]["userInfo"]["username"] == "system:serviceaccount:robots:builder"
    with pytest.raises(KubectlError, match="Forbidden"):  # no RBAC grants: not the admin
        cluster.kubectl("get", "secrets", "--namespace", "kube-system", kubeconfig=kubeconfig)


def test_a_restart_keeps_the_data_and_stopping_leaves_nothing_running(tmp_path: Path) -> None:
    control_plane = ControlPlane(tmp_path / "kubernetes", free_port())
    with control_plane:
        control_plane.kubectl("create", "configmap", "kept", "--from-literal=seat=A1")
        pids = [server.pid() for server in control_plane.servers]
        ports = [port for server in control_plane.servers for port in server.ports]
    assert None not in pids
    # Started by this process, so stop() also reaped them: not even a zombie is left.
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []
    assert [server.pid_file for server in control_plane.servers if server.pid_file.exists()] == []
    assert [port for port in ports if port_in_use(port)] == []

    started = time.monotonic()
    with control_plane:
        print(f"restarted in {time.monotonic() - started:.2f} s")
        kept = kubectl_json(control_plane, "get", "configmap", "kept")
    assert kept["data"] == {"seat": "A1"}

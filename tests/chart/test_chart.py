"""charts/tickethub: lint, offline schemas, a strict values schema, the Ingress path table, a policy scan,
then a server-side dry-run and a real `helm install --wait` / `helm uninstall` in a control plane."""

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tickethub.stack import install
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.entrypoint import render_nginx_config
from tickethub.stack.kube_schemas import kubeconform
from tickethub.stack.routes import load_routes, repo_root

CHART = repo_root() / "charts" / "tickethub"
# Every values scenario the chart promises to render: its defaults and each ci/*-values.yaml.
SCENARIOS = [pytest.param(None, id="defaults")] + [
    pytest.param(path, id=path.name.removesuffix("-values.yaml"))
    for path in sorted(CHART.glob("ci/*-values.yaml"))
]
RELEASE = "tickethub"
NAMESPACE = "tickethub"
# No offline schema exists for the Prometheus operator's kinds; everything else must validate.
WITHOUT_SCHEMA = ("ServiceMonitor",)
CHECKOV = "checkov==3.3.30"  # run in its own isolated environment: its pins clash with ours


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(install.ensure_helm()), *args], capture_output=True, text=True, check=False, timeout=120
    )


def values_args(values: Path | None) -> list[str]:
    return [] if values is None else ["--values", str(values)]


def render(values: Path | None = None, *extra: str) -> str:
    rendered = helm("template", RELEASE, str(CHART), "--namespace", NAMESPACE, *values_args(values), *extra)
    assert rendered.returncode == 0, rendered.stderr
    return rendered.stdout


def documents(manifests: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(manifests) if doc]


@pytest.mark.parametrize("values", SCENARIOS)
def test_the_chart_lints_strictly(values: Path | None) -> None:
    linted = helm("lint", "--strict", str(CHART), *values_args(values))
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("values", SCENARIOS)
def test_every_rendered_manifest_validates_offline(values: Path | None, crd_schemas: Path) -> None:
    manifests = render(values, "--include-crds")
    report = kubeconform(manifests, crd_schemas=crd_schemas, skip=WITHOUT_SCHEMA)
    assert report.failures == []
    kinds = {resource.kind for resource in report.resources if resource.status == "valid"}
    assert {"Deployment", "Service", "Job", "CustomResourceDefinition", "Role"} <= kinds


def test_the_values_schema_refuses_a_misspelled_key() -> None:
    misspelled = helm("template", RELEASE, str(CHART), "--set", "services.booking.replicaz=2")
    assert misspelled.returncode != 0
    assert "replicaz" in misspelled.stderr
    assert "additional properties" in misspelled.stderr.lower()


def test_the_ingress_and_the_local_entrypoint_route_the_same_paths_to_the_same_services() -> None:
    manifests = documents(render(None, "--set", "ingress.enabled=true"))
    [ingress] = [doc for doc in manifests if doc["kind"] == "Ingress"]
    ingress_routes = {
        (path["path"], path["backend"]["service"]["name"].removeprefix(f"{RELEASE}-"))
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert all(
        path["pathType"] == "Prefix" for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    )
    table = {(route.prefix, route.service) for route in load_routes()}
    assert ingress_routes == table
    nginx = render_nginx_config(
        port=8080,
        routes=load_routes(),
        upstreams={service: 9000 for _, service in table},
        run_dir=Path("/run/entrypoint"),
        index={},
    )
    entrypoint_routes = {
        (line.split()[2], line.split("http://")[1].rstrip("; }"))
        for line in nginx.splitlines()
        if line.strip().startswith("location = /") and "proxy_pass" in line
    }
    assert entrypoint_routes == table


@pytest.mark.parametrize("values", SCENARIOS)
def test_a_policy_scan_of_the_rendered_chart_fails_no_check(values: Path | None, tmp_path: Path) -> None:
    (tmp_path / "tickethub.yaml").write_text(render(values))
    scan = subprocess.run(
        [
            # `uv run` names its own executable in UV; checkov gets an environment of its own.
            *(os.environ["UV"], "tool", "run", "--quiet", "--from", CHECKOV, "checkov"),
            *("--directory", str(tmp_path), "--framework", "kubernetes", "--output", "json", "--compact"),
            "--skip-download",  # its guideline lookups need the internet; the checks themselves do not
            *("--config-file", str(Path(__file__).with_name("checkov.yaml"))),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert scan.stdout, scan.stderr
    report = json.loads(scan.stdout)
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert summary["resource_count"] > 20
    assert summary["passed"] > 0


def test_a_server_side_dry_run_then_an_install_that_waits_then_an_uninstall_that_leaves_nothing(
    cluster: ControlPlane,
) -> None:
    cluster.kubectl("create", "namespace", NAMESPACE)
    # `helm install --dry-run=server` does not install crds/, and the chart's objects need them.
    cluster.kubectl("apply", "--dry-run=server", "-f", str(CHART / "crds"))
    cluster.apply(CHART / "crds")
    before = set(everything_in(cluster))

    cluster.helm(
        "install",
        RELEASE,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--dry-run=server",
        "--set",
        "demoCatalog.enabled=true",
    )
    assert set(everything_in(cluster)) == before  # a dry-run creates nothing

    cluster.helm(
        *("install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--set", "demoCatalog.enabled=true"),
        *("--wait", "--wait-for-jobs", "--timeout", "5m"),
    )
    deployments = json.loads(cluster.kubectl("get", "deployments", "-n", NAMESPACE, "-o", "json"))["items"]
    names = {d["metadata"]["name"] for d in deployments}
    assert {f"{RELEASE}-{s}" for s in ("users", "catalog", "booking", "payment", "notification")} <= names
    for deployment in deployments:
        assert deployment["status"].get("availableReplicas") == deployment["spec"]["replicas"], deployment[
            "metadata"
        ]["name"]
    assert "shows.tickethub.io" in cluster.kubectl("get", "crd", "-o", "name")

    cluster.helm("uninstall", RELEASE, "--namespace", NAMESPACE, "--wait", "--timeout", "3m")
    # The garbage collector removes what the release's objects owned (ReplicaSets, Pods) after them.
    deadline = time.monotonic() + 120
    while (left := set(everything_in(cluster)) - before) and time.monotonic() < deadline:
        time.sleep(1)
    assert left == set()


def everything_in(cluster: ControlPlane) -> list[str]:
    """Every namespaced object of the release's namespace and every object labelled with the release."""
    kinds = cluster.kubectl("api-resources", "--verbs=list", "-o", "name").split()
    listed = cluster.kubectl(
        "get",
        ",".join(k for k in kinds if k not in ("events", "events.events.k8s.io")),
        "--all-namespaces",
        "-l",
        f"app.kubernetes.io/instance={RELEASE}",
        "-o",
        "name",
    )
    in_namespace = cluster.kubectl(
        "get",
        "all,configmaps,secrets,serviceaccounts,roles,rolebindings,persistentvolumeclaims,jobs,ingresses",
        "-n",
        NAMESPACE,
        "-o",
        "name",
    )
    # What Kubernetes itself keeps in every namespace.
    ignored = ("configmap/kube-root-ca.crt", "serviceaccount/default")
    return sorted({*listed.split(), *(n for n in in_namespace.split() if n not in ignored)})

"""charts/tickethub: lint, offline schemas, a strict values schema, the Ingress path table, a policy scan,
then a server-side dry-run and a real `helm install --wait` / `helm uninstall` in a control plane."""

import json
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from tickethub.stack import install
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.entrypoint import render_nginx_config
from tickethub.stack.helm import HelmError, helm_template, objects
from tickethub.stack.kube_schemas import kubeconform
from tickethub.stack.routes import load_routes, repo_root
from tickethub.web.metrics import METRICS_PATH

CHART = repo_root() / "charts" / "tickethub"
# Every values scenario the chart promises to render: its defaults and each ci/*-values.yaml.
SCENARIOS = [pytest.param(None, id="defaults")] + [
    pytest.param(path, id=path.name.removesuffix("-values.yaml"))
    for path in sorted(CHART.glob("ci/*-values.yaml"))
]
RELEASE = "tickethub"
NAMESPACE = "tickethub"
CHECKOV = "checkov==3.3.30"  # run in its own isolated environment: its pins clash with ours


def render(values: Path | None = None, *settings: str, options: Sequence[str] = ()) -> str:
    """The chart as this release in its namespace, with a values scenario (None: the defaults)."""
    scenario = [] if values is None else [values]
    return helm_template(CHART, namespace=NAMESPACE, values=scenario, settings=settings, options=options)


@pytest.mark.parametrize("values", SCENARIOS)
def test_the_chart_lints_strictly(values: Path | None) -> None:
    scenario = [] if values is None else [f"--values={values}"]
    linted = subprocess.run(
        [str(install.ensure_helm()), "lint", "--strict", str(CHART), *scenario],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("values", SCENARIOS)
def test_every_rendered_manifest_validates_offline(values: Path | None, crd_schemas: Path) -> None:
    manifests = render(values, options=["--include-crds"])
    report = kubeconform(manifests, crd_schemas=crd_schemas)
    assert report.failures == []
    kinds = {resource.kind for resource in report.resources if resource.status == "valid"}
    assert {"Deployment", "Service", "Job", "CustomResourceDefinition", "Role"} <= kinds
    if values is not None and values.name == "production-values.yaml":
        assert {"ServiceMonitor", "NetworkPolicy", "HorizontalPodAutoscaler"} <= kinds


def test_the_values_schema_refuses_a_misspelled_key() -> None:
    with pytest.raises(HelmError) as refused:
        render(None, "services.booking.replicaz=2")
    assert "replicaz" in str(refused.value)
    assert "additional properties" in str(refused.value).lower()


def tickethub_images(manifests: str) -> set[str]:
    return {
        container["image"]
        for resource in objects(manifests)
        if resource["kind"] in ("Deployment", "Job")
        for container in resource["spec"]["template"]["spec"]["containers"]
        if container["image"].startswith("tickethub/")
    }


def test_an_image_tag_of_digits_only_is_written_as_it_was_given(tmp_path: Path) -> None:
    # An abbreviated commit can be all digits; --set makes it an integer, a values file a float.
    from_the_command_line = tickethub_images(render(None, "image.tag=5701644", "operator.image.tag=1234567"))
    assert "tickethub/operator:1234567" in from_the_command_line
    assert "tickethub/users:5701644" in from_the_command_line
    assert all(image.endswith((":5701644", ":1234567")) for image in from_the_command_line)
    values = tmp_path / "digits-values.yaml"
    values.write_text("image:\n  tag: 5701644\n")
    assert {image.rsplit(":", 1)[1] for image in tickethub_images(render(values))} == {"5701644"}


def test_the_ingress_and_the_local_entrypoint_route_the_same_paths_to_the_same_services() -> None:
    manifests = objects(render(None, "ingress.enabled=true"))
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
    )
    entrypoint_routes = {
        (line.split()[2], line.split("http://")[1].rstrip("; }"))
        for line in nginx.splitlines()
        if line.strip().startswith("location = /") and "proxy_pass" in line
    }
    assert entrypoint_routes == table


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions with In) applied to `labels`."""
    expressions = selector.get("matchExpressions", [])
    assert all(e["operator"] == "In" for e in expressions), "only In is needed here"
    return selector.get("matchLabels", {}).items() <= labels.items() and all(
        labels.get(e["key"]) in e["values"] for e in expressions
    )


def test_each_service_monitor_scrapes_the_metrics_path_of_exactly_its_service() -> None:
    manifests = objects(render(CHART / "ci" / "production-values.yaml"))
    of_kind = {kind: [d for d in manifests if d["kind"] == kind] for kind in ("Service", "Deployment")}
    monitors = [d for d in manifests if d["kind"] == "ServiceMonitor"]
    policies = [d for d in manifests if d["kind"] == "NetworkPolicy"]
    prometheus = yaml.safe_load((CHART / "values.yaml").read_text())["networkPolicy"]["prometheus"]

    scraped = set()
    for monitor in monitors:
        assert monitor["metadata"]["labels"]["release"] == "monitoring"
        [service] = [
            s for s in of_kind["Service"] if selects(monitor["spec"]["selector"], s["metadata"]["labels"])
        ]
        [endpoint] = monitor["spec"]["endpoints"]
        assert endpoint["path"] == METRICS_PATH
        [port] = [p for p in service["spec"]["ports"] if p["name"] == endpoint["port"]]
        [deployment] = [
            d
            for d in of_kind["Deployment"]
            if selects(
                {"matchLabels": service["spec"]["selector"]}, d["spec"]["template"]["metadata"]["labels"]
            )
        ]
        pod = deployment["spec"]["template"]
        [container_port] = [
            p for c in pod["spec"]["containers"] for p in c["ports"] if p["name"] == port["targetPort"]
        ]
        # Prometheus may reach that port through the NetworkPolicies.
        assert any(
            selects(policy["spec"]["podSelector"], pod["metadata"]["labels"])
            and rule["from"] == [prometheus]
            and {p["port"] for p in rule["ports"]} & {container_port["name"], container_port["containerPort"]}
            for policy in policies
            for rule in policy["spec"].get("ingress", [])
        ), deployment["metadata"]["name"]
        scraped.add(service["metadata"]["name"])
    assert scraped == {f"{RELEASE}-{s}" for s in ("users", "catalog", "booking", "payment", "notification")}


def test_service_monitors_need_the_api_that_serves_them() -> None:
    asked = "serviceMonitor.enabled=true"
    without_api = objects(render(None, asked))
    with_api = objects(
        render(None, asked, options=["--api-versions", "monitoring.coreos.com/v1/ServiceMonitor"])
    )

    assert not [d for d in without_api if d["kind"] == "ServiceMonitor"]
    assert len([d for d in with_api if d["kind"] == "ServiceMonitor"]) == 5


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
    asked = ("--set", "demoCatalog.enabled=true", "--set", "serviceMonitor.enabled=true")

    dry_run = cluster.helm(
        "install", RELEASE, str(CHART), "--namespace", NAMESPACE, "--dry-run=server", *asked
    )
    assert set(everything_in(cluster)) == before  # a dry-run creates nothing
    # No Prometheus Operator yet: no ServiceMonitor, and the notes say why.
    assert "kind: ServiceMonitor" not in dry_run
    assert "no monitoring.coreos.com/v1 ServiceMonitor API" in " ".join(dry_run.split())

    # Now the cluster serves the Prometheus Operator's API, as one running it does.
    cluster.apply(install.ensure_service_monitor_crd())
    cluster.wait_established("servicemonitors.monitoring.coreos.com")
    cluster.helm(
        *("install", RELEASE, str(CHART), "--namespace", NAMESPACE, *asked),
        *("--wait", "--wait-for-jobs", "--timeout", "5m"),
    )
    deployments = json.loads(cluster.kubectl("get", "deployments", "-n", NAMESPACE, "-o", "json"))["items"]
    names = {d["metadata"]["name"] for d in deployments}
    services = {f"{RELEASE}-{s}" for s in ("users", "catalog", "booking", "payment", "notification")}
    assert services <= names
    for deployment in deployments:
        assert deployment["status"].get("availableReplicas") == deployment["spec"]["replicas"], deployment[
            "metadata"
        ]["name"]
    assert "shows.tickethub.io" in cluster.kubectl("get", "crd", "-o", "name")
    monitors = cluster.kubectl("get", "servicemonitors", "-n", NAMESPACE, "-o", "name").split()
    assert {name.removeprefix("servicemonitor.monitoring.coreos.com/") for name in monitors} == services
    assert "kubectl get servicemonitors" in cluster.helm("get", "notes", RELEASE, "--namespace", NAMESPACE)

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

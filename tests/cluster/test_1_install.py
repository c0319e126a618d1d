"""The chart on a real node: every workload up through its own probes, at once, and nothing faked."""

from typing import Any

import pytest

from access import get
from tickethub.stack.node.cluster import LocalCluster
from tickethub.stack.topology import chart_services

pytestmark = pytest.mark.cluster


def condition(resource: dict[str, Any], kind: str) -> bool:
    return any(
        c["type"] == kind and c["status"] == "True" for c in resource.get("status", {}).get("conditions", [])
    )


def test_every_deployment_is_available_and_every_migration_complete(cluster: LocalCluster) -> None:
    deployments = get(cluster, "deployments")["items"]
    names = {d["metadata"]["name"] for d in deployments}
    assert {f"tickethub-{service}" for service in chart_services()} | {"tickethub-show-operator"} <= names
    assert [d["metadata"]["name"] for d in deployments if not condition(d, "Available")] == []
    jobs = get(cluster, "jobs")["items"]
    migrations = [job for job in jobs if job["metadata"]["name"].endswith(("-migrations-1",))]
    assert len(migrations) == len(chart_services())  # every service has a database
    assert [job["metadata"]["name"] for job in jobs if not condition(job, "Complete")] == []


def test_every_pod_is_ready_by_its_own_probes_and_none_restarted(cluster: LocalCluster) -> None:
    pods = get(cluster, "pods")["items"]
    running = [pod for pod in pods if pod["status"]["phase"] == "Running"]
    assert running, "no pod runs"
    for pod in running:
        name = pod["metadata"]["name"]
        assert condition(pod, "Ready"), name
        for container in pod["spec"]["containers"]:
            probes = {"readinessProbe", "livenessProbe", "startupProbe"} & container.keys()
            assert "readinessProbe" in probes or "livenessProbe" in probes, f"{name} has no probe"
        assert [c["restartCount"] for c in pod["status"]["containerStatuses"]] == [0] * len(
            pod["status"]["containerStatuses"]
        ), f"{name} restarted during the install"


def test_every_container_runs_as_the_chart_restricts_it(cluster: LocalCluster) -> None:
    for pod in get(cluster, "pods")["items"]:
        security = pod["spec"].get("securityContext", {})
        assert security.get("runAsNonRoot") is True, pod["metadata"]["name"]
        for container in pod["spec"]["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"]["drop"] == ["ALL"], container["name"]

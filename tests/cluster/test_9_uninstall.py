"""`helm uninstall` leaves nothing of TicketHub in the cluster but what Helm never removes (the CRDs)."""

import pytest

from access import get
from tickethub.stack.node.cluster import NAMESPACE, RELEASE, LocalCluster
from tickethub.testing import eventually

pytestmark = pytest.mark.cluster

KINDS = ",".join(
    [
        "deployments",
        "statefulsets",
        "jobs",
        "pods",
        "services",
        "configmaps",
        "secrets",
        "ingresses",
        "serviceaccounts",
        "roles",
        "rolebindings",
    ]
)


async def test_helm_uninstall_removes_every_object_of_the_release(cluster: LocalCluster) -> None:
    cluster.control_plane.helm("uninstall", RELEASE, f"--namespace={NAMESPACE}", "--wait", "--timeout=5m")

    async def nothing_left() -> bool:
        return get(cluster, KINDS, f"--selector=app.kubernetes.io/instance={RELEASE}")["items"] == []

    await eventually(nothing_left, what="the release's objects to go", within=120)
    assert get(cluster, "pods")["items"] == []
    assert get(cluster, "persistentvolumeclaims")["items"] == []
    crds = cluster.control_plane.kubectl("get", "customresourcedefinitions", "--output=name")
    assert "shows.tickethub.io" in crds  # Helm keeps CRDs (and their Shows) on purpose

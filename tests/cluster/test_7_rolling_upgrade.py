"""`helm upgrade` to new images under load, then `helm rollback`: not one request fails either way
(readiness gates, graceful shutdown behind the preStop pause, a surge Pod before the old one goes)."""

import asyncio
from collections.abc import Callable

import pytest
from load import booking_load

from access import get
from system import Api
from tickethub.stack.images import IMAGE_PREFIX, PACKAGES, default_version
from tickethub.stack.node.cluster import CHART, NAMESPACE, RELEASE, LocalCluster
from tickethub.stack.routes import repo_root

pytestmark = pytest.mark.cluster

ROWS = [{"name": row, "count": 20, "category": "STANDARD"} for row in "ABCDEFGH"]
SEATS = [f"{row['name']}{number}" for row in ROWS for number in range(1, 21)]


def running_tags(cluster: LocalCluster) -> set[str]:
    deployments = get(cluster, "deployments")["items"]
    return {
        container["image"].rsplit(":", 1)[1]
        for deployment in deployments
        for container in deployment["spec"]["template"]["spec"]["containers"]
        if container["image"].startswith(IMAGE_PREFIX)
    }


async def test_an_upgrade_and_a_rollback_under_load_fail_no_request(
    api: Api, cluster: LocalCluster, say: Callable[[str], None]
) -> None:
    version = default_version()
    upgraded = f"{version}-next"
    for package in PACKAGES:  # the same content under a new tag: every TicketHub Pod is replaced
        cluster.containerd.tag_image(f"docker.io/{IMAGE_PREFIX}{package}:{version}", upgraded)
    show = await api.create_show(rows=ROWS, prices={"STANDARD": "100.00"})
    later_show = await api.create_show(rows=ROWS, prices={"STANDARD": "100.00"})

    async with booking_load(api, show["id"], SEATS, clients=8) as upgrading:
        await asyncio.to_thread(
            cluster.control_plane.helm,
            "upgrade",
            RELEASE,
            str(repo_root() / CHART),
            f"--namespace={NAMESPACE}",
            "--reuse-values",
            f"--set=image.tag={upgraded}",
            "--wait",
            "--timeout=10m",
        )
    assert running_tags(cluster) == {upgraded}
    async with booking_load(api, later_show["id"], SEATS, clients=8) as rolling_back:
        await asyncio.to_thread(
            cluster.control_plane.helm,
            "rollback",
            RELEASE,
            f"--namespace={NAMESPACE}",
            "--wait",
            "--timeout=10m",
        )
    assert running_tags(cluster) == {version}

    for ledger in (upgrading, rolling_back):
        say(f"answers during a rollout of {ledger.seconds:.0f} s: {dict(ledger.answers)}")
        assert ledger.failed == 0, dict(ledger.answers)
        assert ledger.answers["202"] > 0, dict(ledger.answers)

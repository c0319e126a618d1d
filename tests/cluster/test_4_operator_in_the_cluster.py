"""The show operator as a Pod of the chart: kubectl apply schedules a show, kubectl delete withdraws it."""

from typing import Any

import pytest
import yaml

from shows import Shows, scheduled
from system import Api, buy, subjects_of
from tickethub.stack.node.cluster import LocalCluster
from tickethub.stack.routes import repo_root

pytestmark = pytest.mark.cluster


async def test_the_example_show_is_sold_through_the_ingress_and_cancelled_by_kubectl_delete(
    api: Api, cluster: LocalCluster
) -> None:
    shows = Shows(cluster.control_plane)
    manifest: dict[str, Any] = yaml.safe_load((repo_root() / "k8s" / "examples" / "show.yaml").read_text())
    name = manifest["metadata"]["name"]
    # The admission webhook (served by the operator's Pod) checks the prices against catalog's hall.
    assert "PREMIUM" in shows.refused(
        {**manifest, "spec": {**manifest["spec"], "prices": manifest["spec"]["prices"][:1]}}, dry_run=True
    )

    show_id = await scheduled(api, shows, manifest)  # Ready, and sold by booking
    buyer = await buy(api, show_id, ["C1", "C2"])
    await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")

    shows.delete(name)
    await shows.wait_gone(name, within=120)

    refunded = await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "REFUNDED", within=60)
    assert refunded["seats"] == ["C1", "C2"]
    seats = await api.seat_map(show_id)
    assert (seats["C1"], seats["C2"]) == ("AVAILABLE", "AVAILABLE")
    assert await subjects_of(api, buyer["email"], 2) == ["Booking cancelled", "Booking confirmed"]

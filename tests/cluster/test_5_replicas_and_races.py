"""Two replicas of booking and of payment behind their Services: racing buyers still get one seat once."""

import asyncio
from typing import Any

import pytest

from access import component, database
from system import Api
from tickethub.stack.node.cluster import NAMESPACE, LocalCluster

pytestmark = pytest.mark.cluster

RACERS = 50


def scale(cluster: LocalCluster, service: str, replicas: int) -> None:
    kubectl = cluster.control_plane.kubectl
    deployment = f"deployment/{component(service)}"
    kubectl("scale", deployment, f"--replicas={replicas}", f"--namespace={NAMESPACE}")
    kubectl("rollout", "status", deployment, f"--namespace={NAMESPACE}", "--timeout=180s")


async def test_fifty_buyers_racing_for_one_seat_through_the_ingress_make_one_booking(
    api: Api, cluster: LocalCluster, values: dict[str, Any]
) -> None:
    for service in ("booking", "payment"):
        scale(cluster, service, 2)
    show = await api.create_show()
    tokens = [token for _, token in await asyncio.gather(*(api.user_token() for _ in range(RACERS)))]

    responses = await asyncio.gather(*(api.book(token, show["id"], ["A7"]) for token in tokens))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202] + [409] * (RACERS - 1), statuses
    losers = [response.json() for response in responses if response.status_code == 409]
    assert all(problem["takenSeats"] == ["A7"] for problem in losers)
    async with database(cluster, "booking", values["postgresql"]["password"]) as booking_db:
        rows = await booking_db.fetchval("SELECT count(*) FROM bookings WHERE show_id = $1", show["id"])
    assert rows == 1

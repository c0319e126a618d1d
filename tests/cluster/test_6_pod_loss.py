"""Losing a booking Pod and a payment Pod under load: the Deployments replace them, and every
invariant holds once the sagas have run out (checked in PostgreSQL)."""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from load import booking_load

from access import component, database, get
from system import Api
from tickethub.stack.node.cluster import NAMESPACE, LocalCluster
from tickethub.testing import eventually

pytestmark = pytest.mark.cluster

ROWS = [{"name": row, "count": 20, "category": "STANDARD"} for row in "ABCDEF"]
SEATS = [f"{row['name']}{number}" for row in ROWS for number in range(1, 21)]


def pods_of(cluster: LocalCluster, service: str) -> list[str]:
    pods = get(cluster, "pods", f"--selector=app.kubernetes.io/component={service}")["items"]
    return [pod["metadata"]["name"] for pod in pods if not pod["metadata"].get("deletionTimestamp")]


async def available(cluster: LocalCluster, service: str) -> bool:
    deployment = get(cluster, "deployment", component(service))
    return bool(deployment["status"].get("availableReplicas") == deployment["spec"]["replicas"])


async def test_a_lost_booking_pod_and_payment_pod_are_replaced_and_nothing_is_lost(
    api: Api, cluster: LocalCluster, values: dict[str, Any], say: Callable[[str], None]
) -> None:
    show = await api.create_show(rows=ROWS, prices={"STANDARD": "100.00"})
    lost = {service: pods_of(cluster, service)[0] for service in ("booking", "payment")}

    async with booking_load(api, show["id"], SEATS, clients=12) as ledger:

        async def going() -> bool:
            return len(ledger.accepted) >= 20

        await eventually(going, what="the load to get going", within=60)
        for pod in lost.values():  # the load goes on while they terminate and their replacements start
            cluster.control_plane.kubectl("delete", "pod", pod, f"--namespace={NAMESPACE}", "--wait=false")
        for service in lost:
            await eventually(partial(available, cluster, service), what=f"{service} replaced", within=180)

    answers = dict(ledger.answers)
    say(f"answers in {ledger.seconds:.0f} s while a booking and a payment Pod were lost: {answers}")
    assert all(pod not in pods_of(cluster, service) for service, pod in lost.items())
    assert len(ledger.accepted) >= 20
    password = values["postgresql"]["password"]
    async with (
        database(cluster, "booking", password) as booking_db,
        database(cluster, "payment", password) as payment_db,
    ):

        async def all_terminal() -> bool:
            pending = await booking_db.fetchval(
                "SELECT count(*) FROM bookings WHERE show_id = $1 AND status = 'PENDING'", show["id"]
            )
            return bool(pending == 0)

        await eventually(all_terminal, what="every saga to reach its end", within=120)
        bookings = {
            row["id"]: row
            for row in await booking_db.fetch(
                "SELECT id::text AS id, status, amount FROM bookings WHERE show_id = $1", show["id"]
            )
        }
        doubled = await booking_db.fetch(
            "SELECT seat_id FROM booking_seats WHERE show_id = $1 AND status IN ('HELD', 'SOLD') "
            "GROUP BY seat_id HAVING count(*) > 1",
            show["id"],
        )
        sold = await booking_db.fetchval(
            "SELECT count(*) FROM booking_seats WHERE show_id = $1 AND status = 'SOLD'", show["id"]
        )
        payments = await payment_db.fetch(
            "SELECT booking_id, status, amount FROM payments WHERE booking_id = ANY($1::varchar[])",
            list(bookings),
        )
    assert set(ledger.accepted) <= set(bookings), "a booking the client was told about is lost"
    assert doubled == [], "I1: a seat is held or sold twice"
    confirmed = {booking_id for booking_id, row in bookings.items() if row["status"] == "CONFIRMED"}
    charged = {row["booking_id"] for row in payments if row["status"] == "CHARGED"}
    assert charged == confirmed, "I3: every charge ends as a confirmed booking and every sale is paid"
    assert all(row["amount"] == bookings[row["booking_id"]]["amount"] for row in payments)
    assert len(payments) == len({row["booking_id"] for row in payments}), "a booking was charged twice"
    assert sold == len(confirmed), "I5: the sold seats are exactly the confirmed bookings' seats"

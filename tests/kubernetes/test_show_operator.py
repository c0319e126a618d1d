"""Shows as Kubernetes resources, end to end: kubectl -> kube-apiserver (CRD, CEL, admission webhook) ->
the operator (under its ServiceAccount token) -> catalog and booking -> status, events, e-mails."""

import os
import signal

import asyncpg
import pytest
import yaml

from catalog.service import demo_catalog
from shows import PRICES, Shows, condition, new_name, scheduled, seats_of, show_manifest
from system import Api, buy, subjects_of
from tickethub.stack.local import Stack
from tickethub.stack.ports import free_port
from tickethub.stack.processes import Server
from tickethub.stack.routes import repo_root
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e

EXAMPLE = repo_root() / "k8s" / "examples" / "show.yaml"


def log_of(server: Server) -> str:
    return server.log_file.read_text(errors="replace")


async def test_the_example_show_becomes_bookable_and_kubectl_shows_its_seat_counts(
    api: Api, shows: Shows
) -> None:
    manifest = yaml.safe_load(EXAMPLE.read_text())
    spec = manifest["spec"]
    # The example books the demo catalog that the stack seeds.
    assert (spec["movieId"], spec["theatreId"], spec["hallId"]) == (
        demo_catalog.DEMO_MOVIE_ID,
        demo_catalog.DEMO_THEATRE_ID,
        demo_catalog.DEMO_HALL_ID,
    )
    name = manifest["metadata"]["name"]
    uid = await scheduled(api, shows, manifest)

    in_catalog = (await api.http.get(f"/shows/{uid}")).json()
    assert in_catalog["movieTitle"] == demo_catalog.DEMO_MOVIE_TITLE
    assert in_catalog["prices"] == {p["category"]: p["price"] for p in spec["prices"]}
    buyer = await buy(api, uid, ["A1", "A2"])
    await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")

    total = sum(row.count for row in demo_catalog.DEMO_ROWS)
    counted = await shows.wait_for(name, lambda r: seats_of(r).get("sold") == 2, what="2 seats sold")
    assert seats_of(counted) == {"total": total, "available": total - 2, "held": 0, "sold": 2}
    assert counted["status"]["phase"] == "OnSale"
    assert condition(counted, "CatalogSynced")["status"] == "True"
    header, row = shows.table().splitlines()
    assert header.split() == ["NAME", "MOVIE", "HALL", "STARTS", "AVAILABLE", "SOLD", "PHASE", "READY", "AGE"]
    assert row.startswith(name)
    assert demo_catalog.DEMO_MOVIE_TITLE in row
    assert f" {total - 2} " in row
    assert " 2 " in row
    assert " OnSale " in row
    assert " True " in row

    shows.delete(name)
    await shows.wait_gone(name)


async def test_a_price_change_reaches_catalog_and_booking_and_observed_generation_follows(
    api: Api, shows: Shows
) -> None:
    name = new_name()
    manifest = show_manifest(name, await api.create_venue(), prices=PRICES)
    uid = await scheduled(api, shows, manifest)
    first = shows.get(name)
    assert first is not None
    assert first["metadata"]["generation"] == first["status"]["observedGeneration"] == 1

    manifest["spec"]["prices"] = [
        {"category": "STANDARD", "price": "250.00"},
        {"category": "PREMIUM", "price": "450.00"},
    ]
    shows.apply(manifest)
    updated = await shows.wait_for(
        name, lambda r: r["status"].get("observedGeneration") == 2, what="generation 2 observed"
    )
    assert updated["metadata"]["generation"] == 2
    assert condition(updated, "CatalogSynced")["status"] == "True"
    assert condition(updated, "CatalogSynced")["observedGeneration"] == 2
    assert condition(updated, "CatalogSynced")["message"] == "scheduled in catalog (revision 2)"
    assert ("Normal", "CatalogSynced", "show updated in catalog (revision 2)") in shows.notes(name)
    in_catalog = (await api.http.get(f"/shows/{uid}")).json()
    assert in_catalog["prices"] == {"STANDARD": "250.00", "PREMIUM": "450.00"}

    async def booking_sells_at_the_new_price() -> bool:
        seats = (await api.http.get(f"/bookings/show/{uid}")).json()["seats"]
        return {s["category"]: s["price"] for s in seats}["PREMIUM"] == "450.00"

    await eventually(booking_sells_at_the_new_price, what="booking to price PREMIUM at 450.00")
    shows.delete(name)
    await shows.wait_gone(name)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "apply"])
async def test_invalid_shows_are_refused_by_the_apiserver_with_a_clear_message(
    api: Api, shows: Shows, dry_run: bool
) -> None:
    venue = await api.create_venue()

    in_the_past = show_manifest(new_name(), venue, prices=PRICES, starts_in_seconds=-3600)
    assert "is not in the future" in shows.refused(in_the_past, dry_run=dry_run)

    unpriced = show_manifest(new_name(), venue, prices=PRICES)
    unpriced["spec"]["prices"][1] = {"category": "PREMIUM"}
    assert "seat category PREMIUM has no price" in shows.refused(unpriced, dry_run=dry_run)

    # The hall's layout has STANDARD and PREMIUM seats: a Show must price exactly those.
    missing_category = show_manifest(new_name(), venue, prices={"STANDARD": "250.00"})
    assert "PREMIUM" in shows.refused(missing_category, dry_run=dry_run)
    unknown_category = show_manifest(new_name(), venue, prices={**PRICES, "BALCONY": "90.00"})
    assert "BALCONY" in shows.refused(unknown_category, dry_run=dry_run)
    for refused in (in_the_past, unpriced, missing_category, unknown_category):
        assert shows.get(refused["metadata"]["name"]) is None

    name = new_name()
    valid = show_manifest(name, venue, prices=PRICES)
    uid = await scheduled(api, shows, valid)
    other_hall = await api.create_venue()
    moved = {**valid, "spec": {**valid["spec"], "hallId": other_hall["hall"]["id"]}}
    assert "hallId cannot change" in shows.refused(moved, dry_run=dry_run)
    assert (await api.http.get(f"/shows/{uid}")).json()["hallId"] == venue["hall"]["id"]
    shows.delete(name)
    await shows.wait_gone(name)


async def test_an_unpaid_booking_is_expired_by_the_operators_sweep_and_the_counts_follow(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    uid = await scheduled(
        api, shows, show_manifest(name, await api.create_venue(), prices=PRICES, hold_seconds=60)
    )
    payment = stack.services["payment"]
    payment.stop()  # the charge waits in Kafka: the booking stays PENDING until its hold runs out
    try:
        buyer = await buy(api, uid, ["A1", "B1"])
        held = await shows.wait_for(name, lambda r: seats_of(r).get("held") == 2, what="2 seats held")
        assert seats_of(held)["available"] == 18

        await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "EXPIRED", within=120)
        seat_map = await api.seat_map(uid)
        assert (seat_map["A1"], seat_map["B1"]) == ("AVAILABLE", "AVAILABLE")
        assert await subjects_of(api, buyer["email"], 1) == ["Booking expired"]
        freed = await shows.wait_for(name, lambda r: seats_of(r).get("held") == 0, what="holds released")
        assert seats_of(freed) == {"total": 20, "available": 20, "held": 0, "sold": 0}
        assert "HoldsExpired" in shows.reasons(name)
    finally:
        payment.start()
        payment.wait_ready()
    shows.delete(name)
    await shows.wait_gone(name)


async def test_deleting_a_show_cancels_its_bookings_with_refunds_and_emails_then_it_disappears(
    api: Api, shows: Shows, payment_db: asyncpg.Connection
) -> None:
    name = new_name()
    uid = await scheduled(api, shows, show_manifest(name, await api.create_venue(), prices=PRICES))
    buyers = [await buy(api, uid, seats) for seats in (["A1", "A2"], ["B1"])]
    for buyer in buyers:
        await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")
    await shows.wait_for(name, lambda r: seats_of(r).get("sold") == 3, what="3 seats sold")

    shows.delete(name)
    await shows.wait_gone(name, within=90)

    # The finalizer let go only after catalog cancelled the show and booking cancelled its bookings.
    assert (await api.http.get(f"/shows/{uid}")).json()["status"] == "CANCELLED"
    for buyer in buyers:
        await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "REFUNDED")
        assert await subjects_of(api, buyer["email"], 2) == ["Booking cancelled", "Booking confirmed"]
    refunds = await payment_db.fetch(
        "SELECT status FROM payments WHERE booking_id = ANY($1::varchar[])",
        [buyer["booking"]["id"] for buyer in buyers],
    )
    assert [row["status"] for row in refunds] == ["REFUNDED", "REFUNDED"]
    assert {"Cancelling", "CatalogCancelled", "BookingsSettled"} <= set(shows.reasons(name))


async def test_an_operator_killed_mid_withdrawal_finishes_it_once_restarted_without_duplicates(
    api: Api, shows: Shows, stack: Stack, payment_db: asyncpg.Connection
) -> None:
    name = new_name()
    uid = await scheduled(api, shows, show_manifest(name, await api.create_venue(), prices=PRICES))
    buyer = await buy(api, uid, ["A1"])
    await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")
    operator, booking = stack.operators[0], stack.services["booking"]
    booking.stop()  # the withdrawal cannot finish while booking is away: the operator waits for it
    try:
        shows.delete(name)

        async def cancelled_in_catalog() -> bool:
            return (await api.http.get(f"/shows/{uid}")).json()["status"] == "CANCELLED"

        await eventually(cancelled_in_catalog, what="the operator to cancel the show in catalog")
        pid = operator.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # a crash: no clean-up of any kind
        assert shows.get(name) is not None  # its finalizer keeps it until the withdrawal is done
    finally:
        booking.start()
        booking.wait_ready()
        operator.start()
        operator.wait_ready()
    await shows.wait_gone(name, within=90)
    await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "REFUNDED")
    # Nothing duplicated: one cancellation e-mail, one payment, one refund.
    assert await subjects_of(api, buyer["email"], 2) == ["Booking cancelled", "Booking confirmed"]
    payments = await payment_db.fetch(
        "SELECT status FROM payments WHERE booking_id = $1", buyer["booking"]["id"]
    )
    assert [row["status"] for row in payments] == ["REFUNDED"]


async def test_two_replicas_act_once_and_the_standby_takes_over(api: Api, shows: Shows, stack: Stack) -> None:
    primary = stack.operators[0]
    standby = stack.show_operator("show-operator-standby", free_port(), priority=50)
    standby.start()
    try:
        standby.wait_ready()
        name = new_name()
        await scheduled(api, shows, show_manifest(name, await api.create_venue(), prices=PRICES))
        assert shows.reasons(name).count("CatalogSynced") == 1
        assert name not in log_of(standby)  # the standby did not touch it (lines about a Show name it)

        primary.stop()  # a clean exit leaves the peering: the standby takes over at once
        try:
            shows.delete(name)
            await shows.wait_gone(name, within=60)
            assert name in log_of(standby)
        finally:
            primary.start()
            primary.wait_ready()
    finally:
        standby.stop()
    assert shows.reasons(name).count("CatalogCancelled") == 1


OPERATOR = "system:serviceaccount:tickethub:show-operator"


@pytest.mark.parametrize(
    ("verb", "resource", "namespace", "allowed"),
    [
        ("watch", "shows.tickethub.io", "tickethub", True),
        ("patch", "shows.tickethub.io", "tickethub", True),
        ("patch", "shows.tickethub.io/status", "tickethub", True),
        ("create", "events", "tickethub", True),
        ("get", "secrets", "tickethub", False),
        ("list", "configmaps", "tickethub", False),
        ("list", "pods", "tickethub", False),
        ("create", "deployments.apps", "tickethub", False),
        ("delete", "shows.tickethub.io", "tickethub", False),
        ("list", "shows.tickethub.io", "default", False),
        ("list", "customresourcedefinitions.apiextensions.k8s.io", "", False),
        ("create", "validatingwebhookconfigurations.admissionregistration.k8s.io", "", False),
    ],
)
def test_the_operators_service_account_may_touch_only_shows_and_events(
    shows: Shows, verb: str, resource: str, namespace: str, allowed: bool
) -> None:
    where = ["--namespace", namespace] if namespace else ["--all-namespaces"]
    answer = shows.can_i(verb, resource, *where, as_user=OPERATOR)
    assert answer is allowed, f"{OPERATOR} {verb} {resource}: expected {allowed}"


def test_the_operator_runs_under_its_service_account_token(shows: Shows, stack: Stack) -> None:
    whoami = shows.cluster.kubectl(
        "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}", kubeconfig=stack.operator_kubeconfig
    )
    assert whoami == OPERATOR

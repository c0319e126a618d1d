"""What a Show's status says as booking learns of it and sells it, and what the operator keeps where:
every version of the Show is watched, so a transition the operator skipped or repeated shows."""

import json
import time

import httpx
import pytest
import yaml

from show_operator.model import SeatCounts
from show_operator.reconcile import Phase
from show_operator.reconcile import readiness as readiness_of
from shows import (
    FINALIZER,
    LAST_HANDLED,
    PRICES,
    Shows,
    condition,
    in_catalog,
    is_ready,
    new_name,
    phase_of,
    reason_of,
    scheduled,
    seats_of,
    show_manifest,
    with_reason,
)
from system import Api, buy, stopped
from tickethub.stack.local import Stack
from tickethub.stack.routes import repo_root
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e

CRD = repo_root() / "charts" / "tickethub" / "crds" / "shows.tickethub.io.yaml"
TWO_SEATS = [{"name": "A", "count": 2, "category": "STANDARD"}]


def declared_status_fields() -> set[str]:
    """The status fields the Show CRD declares; the apiserver prunes any other."""
    crd = yaml.safe_load(CRD.read_text())
    (version,) = crd["spec"]["versions"]
    return set(version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"])


async def test_a_new_show_waits_for_booking_goes_on_sale_and_sells_out(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    venue = await api.create_venue(rows=TWO_SEATS)
    manifest = show_manifest(name, venue, prices={"STANDARD": "250.00"})
    del manifest["spec"]["holdSeconds"]  # the CRD's default applies
    async with shows.watch(name) as watch:
        with stopped(stack.services["booking"]):
            shows.apply(manifest)
            away = await shows.wait_for(
                name, with_reason("Ready", "BookingUnavailable"), what="booking to be missed"
            )
            assert phase_of(away) == "Pending"
            assert condition(away, "CatalogSynced")["status"] == "True"
            assert condition(away, "Ready")["status"] == "False"

        on_sale = await shows.wait_for(name, is_ready, what="Ready once booking is back")
        uid = on_sale["metadata"]["uid"]
        status = on_sale["status"]
        assert (status["phase"], status["observedGeneration"], status["catalogShowId"]) == ("OnSale", 1, uid)
        names = (venue["movie"]["title"], venue["theatre"]["name"], venue["hall"]["name"])
        assert (status["movie"], status["theatre"], status["hall"]) == names
        assert seats_of(on_sale) == {"total": 2, "available": 2, "held": 0, "sold": 0}
        assert on_sale["spec"]["holdSeconds"] == 600
        show = await in_catalog(api, uid)
        assert show is not None
        assert (show["prices"], show["holdSeconds"], show["revision"]) == ({"STANDARD": "250.00"}, 600, 1)
        ready = condition(on_sale, "Ready")
        assert (ready["reason"], ready["message"], ready["observedGeneration"]) == (
            "OnSale",
            "2 of 2 seats available",
            1,
        )

        await api.wait_until_bookable(uid)
        buyer = await buy(api, uid, ["A1", "A2"])
        await api.wait_for_status(buyer["token"], buyer["booking"]["id"], "CONFIRMED")
        sold_out = await shows.wait_for(name, lambda r: seats_of(r).get("sold") == 2, what="2 seats sold")
        assert seats_of(sold_out) == {"total": 2, "available": 0, "held": 0, "sold": 2}
        assert phase_of(sold_out) == "SoldOut"
        ready = condition(sold_out, "Ready")
        assert (ready["status"], ready["reason"], ready["message"]) == (
            "True",
            "SoldOut",
            "no seat left: 2 sold, 0 held awaiting payment",
        )

    # Scheduled in catalog before booking answered; booking away; back and selling; sold out.
    assert watch.sequence(phase_of) == ["Pending", "OnSale", "SoldOut"]
    readiness = watch.sequence(reason_of("Ready"))
    assert readiness[:2] == ["WaitingForBooking", "BookingUnavailable"]
    assert readiness[-2:] == ["OnSale", "SoldOut"]
    # Booking may still answer 404 for a moment after its restart, until it has read the show's event.
    assert set(readiness) == {"WaitingForBooking", "BookingUnavailable", "OnSale", "SoldOut"}
    # Each version is whole: no reader sees the seats and phase of one moment beside the Ready of another.
    for version in watch.versions:
        if reason_of("Ready")(version) in ("OnSale", "SoldOut"):
            seats = SeatCounts(**seats_of(version))
            expected = readiness_of(Phase(phase_of(version)), seats)
            assert condition(version, "Ready")["message"] == expected.message, version["status"]
            assert reason_of("Ready")(version) == expected.reason, version["status"]
    notes = shows.notes(name)
    assert ("Normal", "CatalogSynced", "show scheduled in catalog (revision 1)") in notes
    assert shows.reasons(name).count("BookingUnavailable") == 1  # on becoming unavailable, not every sweep
    shows.delete(name)
    await shows.wait_gone(name, within=90)


async def test_kopf_keeps_its_state_in_our_annotations_and_an_idle_sweep_writes_nothing(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    uid = await scheduled(api, shows, show_manifest(name, await api.create_venue(), prices=PRICES))
    settled = shows.get(name)
    assert settled is not None
    metadata = settled["metadata"]
    assert metadata["finalizers"] == [FINALIZER]
    # kopf's record of the spec it handled lives under our prefix: in status, the schema would prune it.
    annotations = metadata["annotations"]
    assert json.loads(annotations[LAST_HANDLED])["spec"] == settled["spec"]
    assert not [key for key in annotations if key.startswith("kopf.zalando.org/")]
    assert set(settled["status"]) == declared_status_fields()

    async with shows.watch(name) as watch:
        since = time.time()

        async def three_sweeps() -> bool:
            return await sweeps_since(stack, uid, since) >= 3

        await eventually(three_sweeps, what="booking to serve three sweeps of the show", within=45)
    assert watch.versions == []
    after = shows.get(name)
    assert after is not None
    assert after["metadata"]["resourceVersion"] == metadata["resourceVersion"]
    shows.delete(name)
    await shows.wait_gone(name)


async def sweeps_since(stack: Stack, show_id: str, since: float) -> int:
    """Sweeps of the show booking served since `since` (epoch seconds), as its traces in Zipkin tell."""
    now = time.time()
    async with httpx.AsyncClient(base_url=stack.zipkin.url) as zipkin:
        found = await zipkin.get(
            "/api/v2/traces",
            params={
                "serviceName": "booking",
                # Spans are named by route template (one name for every show): the path says which show.
                "spanName": "post /internal/shows/{show_id}/sweep",
                "annotationQuery": f"url.path=/internal/shows/{show_id}/sweep",
                "endTs": int(now * 1000),
                "lookback": int((now - since) * 1000) + 1,
                "limit": 1000,
            },
        )
    found.raise_for_status()
    return len(found.json())

"""A Show scheduled by the operator: finalizer, catalog upsert, status, conditions, seats and events."""

import pytest

from tickethub.testing import eventually

from .resources import FINALIZER, STATUS_FIELDS, Shows, condition, reported, status_of
from .standin import ServicesState

pytestmark = pytest.mark.integration


async def test_a_new_show_is_scheduled_in_catalog_and_waits_for_booking(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    created = shows.create()
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def waiting_for_booking() -> bool:
        return condition(shows.get(name), "Ready").get("reason") == "WaitingForBooking"

    await eventually(waiting_for_booking, "Ready=False WaitingForBooking while booking answers 404")
    show = shows.get(name) or {}
    assert FINALIZER in show["metadata"]["finalizers"]
    status = status_of(show)
    assert status["catalogShowId"] == uid
    assert (status["movie"], status["theatre"], status["hall"]) == ("Dune", "Galaxy", "Audi 1")
    assert (status["observedGeneration"], status["phase"]) == (1, "Pending")
    synced = condition(show, "CatalogSynced")
    assert (synced["status"], synced["reason"], synced["observedGeneration"]) == ("True", "Synced", 1)
    assert condition(show, "Ready")["status"] == "False"
    (put,) = state.calls_to("PUT", f"/shows/{uid}")
    assert put.body["prices"] == {"STANDARD": "250.00", "PREMIUM": "400"}
    assert put.body["holdSeconds"] == 600  # the CRD's default
    # kopf keeps its own state in annotations: the structural schema would prune it from status.
    assert set(status) <= STATUS_FIELDS
    assert any(key.startswith("tickethub.io/") for key in show["metadata"].get("annotations", {}))

    await reported(shows, uid, ("Normal", "CatalogSynced", "show scheduled in catalog (revision 1)"))


async def test_booking_seats_make_the_show_ready_and_expired_holds_are_reported(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    created = shows.create()
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]
    with state.lock:
        state.seats[uid] = {"total": 24, "available": 20, "held": 3, "sold": 1}
        state.expiring[uid] = 2

    async def on_sale() -> bool:
        return condition(shows.get(name), "Ready").get("reason") == "OnSale"

    await eventually(on_sale, "Ready=True OnSale")
    show = shows.get(name) or {}
    assert status_of(show)["phase"] == "OnSale"
    assert status_of(show)["seats"] == {"total": 24, "available": 20, "held": 3, "sold": 1}
    assert condition(show, "Ready")["message"] == "20 of 24 seats available"

    await reported(shows, uid, ("Normal", "HoldsExpired", "2 unpaid booking(s) expired"))

    with state.lock:
        state.seats[uid] = {"total": 24, "available": 0, "held": 4, "sold": 20}

    async def sold_out() -> bool:
        return (
            status_of(shows.get(name)).get("phase"),
            condition(shows.get(name), "Ready").get("reason"),
        ) == (
            "SoldOut",
            "SoldOut",
        )

    await eventually(sold_out, "phase SoldOut")


async def test_an_unchanged_sweep_writes_nothing(shows: Shows, services: tuple[ServicesState, str]) -> None:
    state, _ = services
    created = shows.create()
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]
    with state.lock:
        state.seats[uid] = {"total": 24, "available": 24, "held": 0, "sold": 0}

    async def on_sale() -> bool:
        return status_of(shows.get(name)).get("phase") == "OnSale"

    await eventually(on_sale, "phase OnSale")
    settled = shows.get(name) or {}
    sweeps_before = len(state.calls_to("POST", f"/internal/shows/{uid}/sweep"))

    async def three_more_sweeps() -> bool:
        return len(state.calls_to("POST", f"/internal/shows/{uid}/sweep")) >= sweeps_before + 3

    await eventually(three_more_sweeps, "three more sweeps")
    assert (shows.get(name) or {})["metadata"]["resourceVersion"] == settled["metadata"]["resourceVersion"]


async def test_a_spec_change_updates_catalog_and_the_observed_generation(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    created = shows.create()
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def synced_generation(generation: int) -> bool:
        return condition(shows.get(name), "CatalogSynced").get("observedGeneration") == generation

    await eventually(lambda: synced_generation(1), "generation 1 synced")
    shows.patch_spec(
        name,
        {"prices": [{"category": "STANDARD", "price": "260.00"}, {"category": "PREMIUM", "price": "420"}]},
    )
    await eventually(lambda: synced_generation(2), "generation 2 synced")
    show = shows.get(name) or {}
    assert status_of(show)["observedGeneration"] == 2
    assert condition(show, "CatalogSynced")["message"] == "scheduled in catalog (revision 2)"
    assert state.calls_to("PUT", f"/shows/{uid}")[-1].body["prices"] == {
        "STANDARD": "260.00",
        "PREMIUM": "420",
    }

    await reported(shows, uid, ("Normal", "CatalogSynced", "show updated in catalog (revision 2)"))

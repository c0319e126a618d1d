"""Deleting a Show: catalog cancels it, and the finalizer holds the resource until booking let go of it."""

import pytest

from tickethub.testing import eventually

from .resources import FINALIZER, Shows, condition, future_start, reported_reasons, status_of
from .standin import ServicesState

pytestmark = pytest.mark.integration


async def scheduled(shows: Shows, state: ServicesState, **spec: str) -> tuple[str, str]:
    created = shows.create(**spec)
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def synced() -> bool:
        return condition(shows.get(name), "CatalogSynced").get("status") == "True"

    await eventually(synced, "CatalogSynced=True")
    return name, uid


async def test_a_deleted_show_stays_until_catalog_cancelled_it_and_booking_settled(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    starts = future_start()
    name, uid = await scheduled(shows, state, startsAt=starts)
    with state.lock:
        state.seats[uid] = {"total": 24, "available": 19, "held": 3, "sold": 2}
        state.catalog_outages[starts] = 2  # the first two cancel calls fail
    shows.delete(name)

    await reported_reasons(shows, uid, "Cancelling", "CatalogUnavailable")
    still_there = shows.get(name) or {}
    assert FINALIZER in still_there["metadata"]["finalizers"]
    assert status_of(still_there)["phase"] == "Cancelling"
    assert condition(still_there, "Ready")["reason"] == "Cancelling"

    async def cancelled_in_catalog() -> bool:
        with state.lock:
            return state.shows[uid].status == "CANCELLED"

    await eventually(cancelled_in_catalog, "the cancel to succeed")
    assert [call.body for call in state.calls_to("POST", f"/shows/{uid}/cancel")] == [
        {"reason": "The show was withdrawn."}
    ] * 3

    async def waiting_for_booking() -> bool:
        return (
            len(state.calls_to("POST", f"/internal/shows/{uid}/sweep")) >= 2 and shows.get(name) is not None
        )

    await eventually(waiting_for_booking, "the operator to keep the Show while seats are held and sold")
    with state.lock:
        state.seats[uid] = {"total": 24, "available": 24, "held": 0, "sold": 0}

    async def gone() -> bool:
        return shows.get(name) is None

    await eventually(gone, "the Show to be deleted once booking settled")
    await reported_reasons(shows, uid, "CatalogCancelled", "BookingsSettled")


async def test_a_show_catalog_never_had_is_let_go_at_once(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    taken = future_start()
    with state.lock:
        state.taken_slots.add(taken)
    created = shows.create(startsAt=taken)
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def rejected() -> bool:
        return status_of(shows.get(name)).get("phase") == "Rejected"

    await eventually(rejected, "phase Rejected")
    shows.delete(name)

    async def gone() -> bool:
        return shows.get(name) is None

    await eventually(gone, "the Show to be deleted")
    # kopf may call a finished handler once more for its own intermediate patch: cancels are idempotent.
    assert state.calls_to("POST", f"/shows/{uid}/cancel")
    assert uid not in state.shows
    await reported_reasons(shows, uid, "NotInCatalog")

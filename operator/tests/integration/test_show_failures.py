"""When catalog refuses a Show or is away: conditions and events say so; refusals are not retried."""

import pytest

from tickethub.testing import eventually

from .resources import SYNC_ATTEMPTS, Shows, condition, future_start, reported, reported_reasons, status_of
from .standin import ServicesState

pytestmark = pytest.mark.integration


async def test_a_refused_show_is_rejected_and_not_retried_until_its_spec_changes(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    taken = future_start()
    with state.lock:
        state.taken_slots.add(taken)
    created = shows.create(startsAt=taken)
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def rejected() -> bool:
        return condition(shows.get(name), "CatalogSynced").get("reason") == "CatalogRejected"

    await eventually(rejected, "CatalogSynced=False CatalogRejected")
    show = shows.get(name) or {}
    message = "catalog refused the show: The show overlaps another show of the hall."
    assert condition(show, "CatalogSynced")["status"] == "False"
    assert condition(show, "CatalogSynced")["message"] == message
    assert (condition(show, "Ready")["status"], condition(show, "Ready")["reason"]) == (
        "False",
        "CatalogRejected",
    )
    assert (status_of(show)["phase"], status_of(show)["observedGeneration"]) == ("Rejected", 1)

    await reported(shows, uid, ("Warning", "CatalogRejected", message))

    shows.patch_spec(name, {"startsAt": future_start()})

    async def synced() -> bool:
        return condition(shows.get(name), "CatalogSynced").get("status") == "True"

    await eventually(synced, "CatalogSynced=True once the show moved to a free slot")
    assert len(state.calls_to("PUT", f"/shows/{uid}")) == 2  # the refusal was never retried
    assert status_of(shows.get(name))["observedGeneration"] == 2


async def test_an_outage_of_catalog_is_retried_and_reported_until_it_passes(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    starts = future_start()
    with state.lock:
        state.catalog_outages[starts] = SYNC_ATTEMPTS - 1
    created = shows.create(startsAt=starts)
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def synced() -> bool:
        return condition(shows.get(name), "CatalogSynced").get("status") == "True"

    await eventually(synced, "CatalogSynced=True after the outage")
    assert len(state.calls_to("PUT", f"/shows/{uid}")) == SYNC_ATTEMPTS
    await reported(
        shows,
        uid,
        *[("Warning", "CatalogUnavailable", unavailable(attempt)) for attempt in range(1, SYNC_ATTEMPTS)],
    )


def unavailable(attempt: int) -> str:
    return f"attempt {attempt} of {SYNC_ATTEMPTS} failed, retrying: catalog: answered 503 Service Unavailable"


async def test_when_retries_run_out_a_condition_says_so(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    starts = future_start()
    with state.lock:
        state.catalog_outages[starts] = 1000
    created = shows.create(startsAt=starts)
    name, uid = created["metadata"]["name"], created["metadata"]["uid"]

    async def exhausted() -> bool:
        return condition(shows.get(name), "CatalogSynced").get("reason") == "RetriesExhausted"

    await eventually(exhausted, "CatalogSynced=False RetriesExhausted")
    show = shows.get(name) or {}
    assert condition(show, "CatalogSynced")["message"].startswith("gave up after 3 attempts")
    assert condition(show, "Ready")["reason"] == "RetriesExhausted"
    assert len(state.calls_to("PUT", f"/shows/{uid}")) == SYNC_ATTEMPTS
    await reported_reasons(shows, uid, "RetriesExhausted")

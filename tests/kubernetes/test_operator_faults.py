"""The operator when catalog refuses a Show or is away: conditions and events say so, a refusal waits
for a new spec, an outage is retried until catalog is back or the attempts run out, and a deletion
waits for catalog. Outages are real: the catalog process is stopped, and always started again."""

from datetime import datetime

import pytest

from shows import (
    FINALIZER,
    PRICES,
    SYNC_ATTEMPTS,
    UNCHECKED,
    Resource,
    Shows,
    condition,
    handled_by_kopf,
    in_catalog,
    is_ready,
    new_name,
    phase_of,
    scheduled,
    show_manifest,
    starts_in,
    with_reason,
)
from system import Api, stopped
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


async def overlapping(api: Api, shows: Shows) -> tuple[str, Resource]:
    """A scheduled Show (its name) and the manifest of another at the same time in the same hall."""
    venue = await api.create_venue()
    first = show_manifest(new_name(), venue, prices=PRICES)
    await scheduled(api, shows, first)
    second = show_manifest(new_name(), venue, prices=PRICES)
    second["spec"]["startsAt"] = first["spec"]["startsAt"]
    return first["metadata"]["name"], second


async def rejected(shows: Shows, manifest: Resource) -> Resource:
    """Applies a Show catalog refuses; the Show once the operator is done with it."""
    shows.apply(manifest)
    return await shows.wait_for(
        manifest["metadata"]["name"],
        lambda r: handled_by_kopf(r) and with_reason("CatalogSynced", "CatalogRejected")(r),
        what="the operator to finish with catalog's refusal",
    )


def instant(rfc3339: str) -> datetime:
    return datetime.fromisoformat(rfc3339)


async def delete_all(shows: Shows, *names: str) -> None:
    for name in names:
        shows.delete(name)
    for name in names:
        await shows.wait_gone(name)


async def test_a_show_catalog_refuses_is_rejected_and_not_retried_until_its_spec_changes(
    api: Api, shows: Shows
) -> None:
    first, manifest = await overlapping(api, shows)
    name = manifest["metadata"]["name"]
    show = await rejected(shows, manifest)
    hall = manifest["spec"]["hallId"]
    message = (
        f"catalog refused the show: Hall {hall} is busy then (another show, or the cleaning gap after it)."
    )
    synced, ready = condition(show, "CatalogSynced"), condition(show, "Ready")
    assert (synced["status"], synced["message"], synced["observedGeneration"]) == ("False", message, 1)
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "CatalogRejected", message)
    assert (phase_of(show), show["status"]["observedGeneration"]) == ("Rejected", 1)
    assert ("Warning", "CatalogRejected", message) in shows.notes(name)
    assert await in_catalog(api, show["metadata"]["uid"]) is None

    # kopf is done with this spec after one attempt; moving the show to a free evening is a new spec.
    moved = {**manifest, "spec": {**manifest["spec"], "startsAt": starts_in(4 * 86_400)}}
    shows.apply(moved)
    ready_show = await shows.wait_for(name, is_ready, what="Ready once moved to a free evening")
    assert (phase_of(ready_show), ready_show["status"]["observedGeneration"]) == ("OnSale", 2)
    synced = condition(ready_show, "CatalogSynced")
    assert (synced["status"], synced["reason"], synced["observedGeneration"]) == ("True", "Synced", 2)
    assert shows.reasons(name).count("CatalogRejected") == 1
    scheduled_show = await in_catalog(api, ready_show["metadata"]["uid"])
    assert scheduled_show is not None
    assert instant(scheduled_show["startsAt"]) == instant(moved["spec"]["startsAt"])
    await delete_all(shows, name, first)


async def test_a_rejected_show_given_a_new_spec_is_pending_while_catalog_is_away(
    api: Api, shows: Shows, stack: Stack
) -> None:
    first, manifest = await overlapping(api, shows)
    name = manifest["metadata"]["name"]
    await rejected(shows, manifest)
    moved = {**manifest, "spec": {**manifest["spec"], "startsAt": starts_in(4 * 86_400)}}
    with stopped(stack.services["catalog"]):
        shows.apply(moved)
        waiting = await shows.wait_for(
            name, with_reason("CatalogSynced", "CatalogUnavailable"), what="catalog to be missed"
        )
        # Catalog refused the spec before; it has not yet answered about this one.
        assert (phase_of(waiting), waiting["status"]["observedGeneration"]) == ("Pending", 2)
    await shows.wait_for(name, is_ready, what="Ready once catalog is back")
    await delete_all(shows, name, first)


async def test_a_show_catalog_never_had_is_let_go_at_once(api: Api, shows: Shows) -> None:
    first, manifest = await overlapping(api, shows)
    name = manifest["metadata"]["name"]
    show = await rejected(shows, manifest)
    shows.delete(name)
    # Nothing to cancel and no booking to wait for: the finalizer goes with the first attempt.
    await shows.wait_gone(name, within=15)
    reasons = shows.reasons(name)
    assert "NotInCatalog" in reasons
    assert "CatalogCancelled" not in reasons
    assert await in_catalog(api, show["metadata"]["uid"]) is None
    await delete_all(shows, first)


async def test_a_show_created_while_catalog_is_stopped_syncs_once_catalog_is_back(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    manifest = show_manifest(name, await api.create_venue(), prices=PRICES)
    with stopped(stack.services["catalog"]):
        assert shows.apply_with_warnings(manifest) == [UNCHECKED]
        waiting = await shows.wait_for(
            name, with_reason("CatalogSynced", "CatalogUnavailable"), what="catalog to be missed"
        )
        synced, ready = condition(waiting, "CatalogSynced"), condition(waiting, "Ready")
        assert synced["status"] == ready["status"] == "False"
        assert ready["reason"] == "CatalogUnavailable"
        assert synced["message"].startswith(f"attempt 1 of {SYNC_ATTEMPTS} failed, retrying: catalog: PUT ")
        assert phase_of(waiting) == "Pending"
        assert ("Warning", "CatalogUnavailable", synced["message"]) in shows.notes(name)

    # Nobody touches the Show: a retry finds catalog back.
    ready_show = await shows.wait_for(name, is_ready, what="Ready once catalog is back")
    assert ready_show["metadata"]["generation"] == ready_show["status"]["observedGeneration"] == 1
    synced = condition(ready_show, "CatalogSynced")
    assert (synced["status"], synced["reason"]) == ("True", "Synced")
    assert ("Normal", "CatalogSynced", "show scheduled in catalog (revision 1)") in shows.notes(name)
    assert "RetriesExhausted" not in shows.reasons(name)
    in_catalog_show = await in_catalog(api, ready_show["metadata"]["uid"])
    assert in_catalog_show is not None
    assert in_catalog_show["status"] == "SCHEDULED"
    await delete_all(shows, name)


async def test_when_catalog_stays_away_the_retries_run_out_and_a_condition_says_so(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    manifest = show_manifest(name, await api.create_venue(), prices=PRICES)
    with stopped(stack.services["catalog"]):
        shows.apply(manifest)
        gave_up = await shows.wait_for(
            name,
            with_reason("CatalogSynced", "RetriesExhausted"),
            what=f"the operator to give up after {SYNC_ATTEMPTS} attempts",
        )
        synced = condition(gave_up, "CatalogSynced")
        assert synced["status"] == "False"
        assert synced["message"].startswith(
            f"gave up after {SYNC_ATTEMPTS} attempts, until the spec changes or a restart: catalog: "
        )
        assert with_reason("Ready", "RetriesExhausted")(gave_up)
        await shows.wait_for_events(name, "RetriesExhausted")
        reasons = shows.reasons(name)
        assert reasons.count("CatalogUnavailable") == SYNC_ATTEMPTS - 1
        assert reasons.count("RetriesExhausted") == 1

    # Catalog is back, but the operator stopped trying: a new spec makes it try again.
    manifest["spec"]["prices"][0]["price"] = "260.00"
    shows.apply(manifest)
    synced_show = await shows.wait_for(
        name,
        lambda r: condition(r, "CatalogSynced").get("observedGeneration") == 2,
        what="generation 2 synced",
    )
    assert with_reason("CatalogSynced", "Synced")(synced_show)
    in_catalog_show = await in_catalog(api, synced_show["metadata"]["uid"])
    assert in_catalog_show is not None
    assert in_catalog_show["prices"]["STANDARD"] == "260.00"
    await delete_all(shows, name)


async def test_a_deletion_waits_while_catalog_is_stopped_and_finishes_once_it_is_back(
    api: Api, shows: Shows, stack: Stack
) -> None:
    name = new_name()
    uid = await scheduled(api, shows, show_manifest(name, await api.create_venue(), prices=PRICES))
    with stopped(stack.services["catalog"]):
        shows.delete(name)
        await shows.wait_for_events(name, "Cancelling", "CatalogUnavailable")
        waiting = await shows.wait_for(
            name, with_reason("Ready", "Cancelling"), what="Ready=False Cancelling"
        )
        assert waiting["metadata"]["finalizers"] == [FINALIZER]
        assert "deletionTimestamp" in waiting["metadata"]
        assert phase_of(waiting) == "Cancelling"
        assert "CatalogCancelled" not in shows.reasons(name)

    await shows.wait_gone(name)
    cancelled = await in_catalog(api, uid)
    assert cancelled is not None
    assert cancelled["status"] == "CANCELLED"
    assert {"CatalogCancelled", "BookingsSettled"} <= set(shows.reasons(name))

"""The operator's validating admission webhook as the apiserver calls it: a start that moves into the
past and an unknown hall are refused; when catalog does not answer, prices go unchecked (with a
warning, and catalog refuses them later) while the start time is still checked."""

import uuid

import pytest

from shows import (
    PRICES,
    UNCHECKED,
    Shows,
    condition,
    new_name,
    phase_of,
    show_manifest,
    starts_in,
    with_reason,
)
from system import Api, stopped
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e


async def test_moving_a_show_into_the_past_is_refused(api: Api, shows: Shows) -> None:
    name = new_name()
    manifest = show_manifest(name, await api.create_venue(), prices=PRICES)
    shows.apply(manifest)
    moved = {**manifest, "spec": {**manifest["spec"], "startsAt": starts_in(-60)}}
    refusal = shows.refused(moved)
    assert f"startsAt {moved['spec']['startsAt']} is not in the future" in refusal
    kept = shows.get(name)
    assert kept is not None
    assert (kept["spec"]["startsAt"], kept["metadata"]["generation"]) == (manifest["spec"]["startsAt"], 1)
    shows.delete(name)
    await shows.wait_gone(name)


async def test_a_show_in_an_unknown_hall_is_refused(api: Api, shows: Shows) -> None:
    name, hall = new_name(), str(uuid.uuid4())
    manifest = show_manifest(name, await api.create_venue(), prices=PRICES)
    manifest["spec"]["hallId"] = hall
    assert f"hall {hall}: There is no hall {hall}." in shows.refused(manifest)
    assert shows.get(name) is None


async def test_without_catalog_prices_go_unchecked_with_a_warning_but_a_past_start_is_still_refused(
    api: Api, shows: Shows, stack: Stack
) -> None:
    venue = await api.create_venue()
    name = new_name()
    unpriced_premium = show_manifest(name, venue, prices={"STANDARD": "250.00"})
    in_the_past = show_manifest(new_name(), venue, prices=PRICES, starts_in_seconds=-3600)
    with stopped(stack.services["catalog"]):
        assert "is not in the future" in shows.refused(in_the_past)
        assert shows.apply_with_warnings(unpriced_premium) == [UNCHECKED]
    assert shows.get(in_the_past["metadata"]["name"]) is None

    # The operator's sync hands the prices to catalog, which refuses them in its own words.
    show = await shows.wait_for(
        name, with_reason("CatalogSynced", "CatalogRejected"), what="catalog to refuse the prices"
    )
    assert phase_of(show) == "Rejected"
    message = condition(show, "CatalogSynced")["message"]
    assert message == "catalog refused the show: Invalid value for: prices.PREMIUM."
    shows.delete(name)
    await shows.wait_gone(name)

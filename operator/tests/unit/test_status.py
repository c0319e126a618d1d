"""Status writes: one change to the freshest copy of a Show, so concurrent writers keep each other's
conditions and readers never see half of a write."""

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import kopf
import pytest

from show_operator.conditions import CATALOG_SYNCED, READY, Condition
from show_operator.handlers import retry_delay
from show_operator.model import CatalogShow
from show_operator.reconcile import Phase
from show_operator.status import not_synced, write_phase, write_status, write_synced

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def synced_show(generation: int = 2) -> dict[str, Any]:
    return {
        "metadata": {"name": "dune", "namespace": "tickethub", "generation": generation},
        "status": {
            "conditions": [
                {"type": CATALOG_SYNCED, "status": "True", "reason": "Synced", "lastTransitionTime": "t0"},
                {"type": READY, "status": "True", "reason": "OnSale", "lastTransitionTime": "t0"},
            ]
        },
    }


def test_condition_changes_apply_to_the_body_kopf_patches_not_the_one_the_handler_saw() -> None:
    seen = synced_show()
    seen["status"]["conditions"] = []  # the handler's copy was stale: no conditions yet
    body = kopf.Body(cast(kopf.RawBody, seen))
    patch = kopf.Patch(body=body)
    write_status(body, patch, {}, [Condition(READY, False, "BookingUnavailable", "503")], now=NOW)

    fresh = synced_show()
    for apply in patch.fns:
        apply(cast(kopf.RawBody, fresh))
    synced, ready = fresh["status"]["conditions"]
    assert synced == synced_show()["status"]["conditions"][0]  # the other writer's condition survives
    assert (ready["status"], ready["reason"], ready["lastTransitionTime"]) == (
        "False",
        "BookingUnavailable",
        "2026-11-24T12:00:00Z",
    )


def test_a_phase_is_written_with_its_conditions_in_one_json_patch_for_the_generation_it_speaks_about() -> (
    None
):
    body = kopf.Body(cast(kopf.RawBody, synced_show(generation=5)))
    patch = kopf.Patch(body=body)
    write_phase(body, patch, Phase.REJECTED, *not_synced("CatalogRejected", "overlap"), now=NOW)
    # Nothing is merge-patched: kopf would send that in a request of its own, before the JSON patch.
    assert dict(patch) == {}
    operations = patch.as_json_patch(cast(kopf.RawBody, synced_show(generation=5)))
    paths = {op["path"] for op in operations}
    assert {"/status/observedGeneration", "/status/phase", "/status/conditions/1/reason"} <= paths
    fresh = synced_show(generation=5)
    for apply in patch.fns:
        apply(cast(kopf.RawBody, fresh))
    assert (fresh["status"]["observedGeneration"], fresh["status"]["phase"]) == (5, "Rejected")
    assert [(item["reason"], item["observedGeneration"]) for item in fresh["status"]["conditions"]] == [
        ("CatalogRejected", 5),
        ("CatalogRejected", 5),
    ]


def test_a_sync_derives_phase_and_ready_from_the_seats_counted_while_catalog_was_called() -> None:
    seen = synced_show(generation=1)  # the handler's copy: booking had not reported the show yet
    body = kopf.Body(cast(kopf.RawBody, seen))
    patch = kopf.Patch(body=body)
    starts = NOW + timedelta(days=1)
    show = CatalogShow("show-1", 1, True, "SCHEDULED", "Dune", "theatre-1", "Odeon", "Hall 1", starts)
    write_synced(body, patch, show, starts=starts, now=NOW)

    fresh = synced_show(generation=1)
    fresh["status"]["seats"] = {"total": 2, "available": 0, "held": 0, "sold": 2}  # the timer's count
    for apply in patch.fns:
        apply(cast(kopf.RawBody, fresh))
    status = fresh["status"]
    assert (status["phase"], status["catalogShowId"], status["movie"]) == ("SoldOut", "show-1", "Dune")
    _, ready = status["conditions"]
    assert (ready["reason"], ready["message"]) == ("SoldOut", "no seat left: 2 sold, 0 held awaiting payment")


@pytest.mark.parametrize(("retry", "delay"), [(0, 1.0), (1, 2.0), (3, 8.0), (5, 32.0), (6, 60.0), (20, 60.0)])
def test_retries_back_off_exponentially_up_to_a_minute(retry: int, delay: float) -> None:
    assert retry_delay(retry) == delay

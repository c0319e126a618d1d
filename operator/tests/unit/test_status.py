"""Status writes: conditions change the freshest copy of a Show, so concurrent writers keep each other's."""

from datetime import UTC, datetime
from typing import Any, cast

import kopf
import pytest

from show_operator.conditions import CATALOG_SYNCED, READY, Condition
from show_operator.handlers import retry_delay
from show_operator.reconcile import Phase
from show_operator.status import not_synced, set_conditions, write_phase

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
    patch = kopf.Patch(body=kopf.Body(cast(kopf.RawBody, seen)))
    set_conditions(patch, [Condition(READY, False, "BookingUnavailable", "503")], generation=2, now=NOW)

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


def test_a_phase_is_written_with_the_generation_it_speaks_about() -> None:
    body = kopf.Body(cast(kopf.RawBody, synced_show(generation=5)))
    patch = kopf.Patch(body=body)
    write_phase(body, patch, Phase.REJECTED, *not_synced("CatalogRejected", "overlap"), now=NOW)
    assert patch["status"] == {"observedGeneration": 5, "phase": "Rejected"}
    fresh = synced_show(generation=5)
    for apply in patch.fns:
        apply(cast(kopf.RawBody, fresh))
    assert [(item["reason"], item["observedGeneration"]) for item in fresh["status"]["conditions"]] == [
        ("CatalogRejected", 5),
        ("CatalogRejected", 5),
    ]


@pytest.mark.parametrize(("retry", "delay"), [(0, 1.0), (1, 2.0), (3, 8.0), (5, 32.0), (6, 60.0), (20, 60.0)])
def test_retries_back_off_exponentially_up_to_a_minute(retry: int, delay: float) -> None:
    assert retry_delay(retry) == delay

"""Writing a Show's status through kopf's `patch`.

Every write is a patch function, never a merged field: kopf applies the functions to the freshest copy
of the Show and sends the difference as one JSON patch guarded by the resourceVersion. So a reader
never sees a phase and a Ready condition from different moments (kopf sends merged fields in a request
of their own before the functions' patch), and the timer and the change handlers, which run
concurrently, each change only their own conditions and never put back a stale copy of the other's.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import kopf

from show_operator.conditions import CATALOG_SYNCED, READY, Condition, with_conditions
from show_operator.model import CatalogShow
from show_operator.reconcile import Phase, readiness, seats_in, show_phase

StatusChange = tuple[Mapping[str, Any], Sequence[Condition]]
"""Status fields to set, and conditions to change."""


def write_phase(body: kopf.Body, patch: kopf.Patch, phase: Phase, *changes: Condition, now: datetime) -> None:
    """The phase and condition changes, for the generation of the spec at hand."""
    write_status(body, patch, phase_fields(body, phase), changes, now=now)


def phase_fields(body: kopf.Body, phase: Phase) -> dict[str, Any]:
    return {"observedGeneration": generation_of(body), "phase": str(phase)}


def write_synced(
    body: kopf.Body, patch: kopf.Patch, show: CatalogShow, *, starts: datetime, now: datetime
) -> None:
    """Catalog has the show as specified: its names, CatalogSynced, and Ready as booking last saw it."""
    synced = Condition(CATALOG_SYNCED, True, "Synced", f"scheduled in catalog (revision {show.revision})")
    names = {"movie": show.movie_title, "theatre": show.theatre_name, "hall": show.hall_name}

    def synced_status(status: Mapping[str, Any]) -> StatusChange:
        # From the freshest seats: the timer may have counted them while catalog was being called.
        seats = seats_in(status)
        phase = show_phase(starts=starts, now=now, seats=seats)
        fields = {**phase_fields(body, phase), "catalogShowId": show.id, **names}
        return fields, [synced, readiness(phase, seats)]

    derive_status(body, patch, synced_status, now=now)


def not_synced(reason: str, message: str) -> tuple[Condition, Condition]:
    """Catalog does not have the show as specified: neither synced nor ready, for the same reason."""
    return Condition(CATALOG_SYNCED, False, reason, message), Condition(READY, False, reason, message)


def write_status(
    body: kopf.Body,
    patch: kopf.Patch,
    fields: Mapping[str, Any],
    changes: Sequence[Condition] = (),
    *,
    now: datetime,
) -> None:
    """Status fields and condition changes (for the generation of the spec at hand), in one write."""
    derive_status(body, patch, lambda _: (fields, changes), now=now)


def derive_status(
    body: kopf.Body, patch: kopf.Patch, derive: Callable[[Mapping[str, Any]], StatusChange], *, now: datetime
) -> None:
    """The fields and condition changes `derive` makes of the freshest status, in one write."""
    generation = generation_of(body)

    def apply(fresh: kopf.RawBody) -> None:
        status = fresh.setdefault("status", {})
        fields, changes = derive(status)
        status.update(fields)
        if changes:
            status["conditions"] = with_conditions(
                status.get("conditions", []), changes, generation=generation, now=now
            )

    patch.fns.append(apply)


def conditions_of(body: kopf.Body) -> list[Any]:
    return list(body.status.get("conditions", []))


def generation_of(body: kopf.Body) -> int:
    return int(body.metadata.get("generation", 0))

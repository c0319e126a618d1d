"""Writing a Show's status through kopf's `patch`.

Plain fields are merged. Conditions are written as a patch function instead: kopf applies it to the
freshest copy of the Show as a JSON patch guarded by the resourceVersion, so the timer and the change
handlers, which run concurrently, each change only their own conditions and never put back a stale
copy of the other's.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import kopf

from show_operator.conditions import CATALOG_SYNCED, READY, Condition, with_conditions
from show_operator.model import CatalogShow
from show_operator.reconcile import Phase, readiness, seats_in, show_phase


def write_phase(body: kopf.Body, patch: kopf.Patch, phase: Phase, *changes: Condition, now: datetime) -> None:
    """The phase and condition changes, for the generation of the spec at hand."""
    generation = generation_of(body)
    patch.status.update({"observedGeneration": generation, "phase": str(phase)})
    set_conditions(patch, changes, generation=generation, now=now)


def write_synced(
    body: kopf.Body, patch: kopf.Patch, show: CatalogShow, *, starts: datetime, now: datetime
) -> None:
    """Catalog has the show as specified: its names, CatalogSynced, and Ready as booking last saw it."""
    seats = seats_in(body.status)
    phase = show_phase(starts=starts, now=now, seats=seats)
    synced = Condition(CATALOG_SYNCED, True, "Synced", f"scheduled in catalog (revision {show.revision})")
    write_phase(body, patch, phase, synced, readiness(phase, seats), now=now)
    names = {"movie": show.movie_title, "theatre": show.theatre_name, "hall": show.hall_name}
    patch.status.update({"catalogShowId": show.id, **names})


def not_synced(reason: str, message: str) -> tuple[Condition, Condition]:
    """Catalog does not have the show as specified: neither synced nor ready, for the same reason."""
    return Condition(CATALOG_SYNCED, False, reason, message), Condition(READY, False, reason, message)


def set_conditions(
    patch: kopf.Patch, changes: Sequence[Condition], *, generation: int, now: datetime
) -> None:
    def apply(fresh: kopf.RawBody) -> None:
        status = fresh.setdefault("status", {})
        status["conditions"] = with_conditions(
            status.get("conditions", []), changes, generation=generation, now=now
        )

    patch.fns.append(apply)


def conditions_of(body: kopf.Body) -> list[Any]:
    return list(body.status.get("conditions", []))


def generation_of(body: kopf.Body) -> int:
    return int(body.metadata.get("generation", 0))

"""The checks of the validating admission webhook that the CRD's schema cannot make.

Kubernetes' CEL has no clock, and the seat categories live in catalog's hall layout, so these two
rules are the operator's. They apply to what a request changes, so an update that leaves startsAt and
prices alone (a label, the operator's own finalizer) is never refused for a show that has started.
"""

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from show_operator.reconcile import starts_at


def start_time_problem(
    *, operation: str, spec: Mapping[str, Any], old_spec: Mapping[str, Any] | None, now: datetime
) -> str | None:
    """Why the start time is refused: it must be in the future when a Show is created or moved."""
    moved = old_spec is None or old_spec.get("startsAt") != spec.get("startsAt")
    if operation not in ("CREATE", "UPDATE") or not moved:
        return None
    if starts_at(spec) <= now:
        return f"startsAt {spec['startsAt']} is not in the future"
    return None


def prices_changed(*, operation: str, spec: Mapping[str, Any], old_spec: Mapping[str, Any] | None) -> bool:
    if operation == "CREATE" or old_spec is None:
        return True
    return operation == "UPDATE" and (
        old_spec.get("prices") != spec.get("prices") or old_spec.get("hallId") != spec.get("hallId")
    )


def price_problem(prices: Collection[Mapping[str, Any]], categories: Collection[str]) -> str | None:
    """Why the prices do not fit the hall: every seat category priced, and no other category."""
    priced = {str(price["category"]) for price in prices}
    missing = sorted(set(categories) - priced)
    unknown = sorted(priced - set(categories))
    problems = []
    if missing:
        problems.append(f"prices miss seat categories of the hall: {', '.join(missing)}")
    if unknown:
        problems.append(f"prices name seat categories the hall does not have: {', '.join(unknown)}")
    return "; ".join(problems) or None

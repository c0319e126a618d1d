"""A Show's status conditions, kept the way Kubernetes' API conventions describe them.

`lastTransitionTime` moves only when a condition's status flips (a new reason or message alone does
not move it), and each condition names the generation of the spec it speaks about.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CATALOG_SYNCED = "CatalogSynced"
READY = "Ready"
_ORDER = (CATALOG_SYNCED, READY)


@dataclass(frozen=True)
class Condition:
    type: str
    status: bool
    reason: str
    message: str


def with_conditions(
    current: Iterable[Mapping[str, Any]], changes: Iterable[Condition], *, generation: int, now: datetime
) -> list[dict[str, Any]]:
    """The conditions list after `changes`; conditions of other types are kept as they are."""
    by_type = {str(existing["type"]): dict(existing) for existing in current if "type" in existing}
    for change in changes:
        status = "True" if change.status else "False"
        previous = by_type.get(change.type, {})
        unchanged = previous.get("status") == status and previous.get("lastTransitionTime")
        by_type[change.type] = {
            "type": change.type,
            "status": status,
            "reason": change.reason,
            "message": change.message,
            "lastTransitionTime": previous["lastTransitionTime"] if unchanged else timestamp(now),
            "observedGeneration": generation,
        }
    ordered = [by_type.pop(kind) for kind in _ORDER if kind in by_type]
    return ordered + list(by_type.values())


def find(conditions: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((condition for condition in conditions if condition.get("type") == kind), None)


def is_true(conditions: Sequence[Mapping[str, Any]], kind: str) -> bool:
    condition = find(conditions, kind)
    return condition is not None and condition.get("status") == "True"


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, as Kubernetes writes its own times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

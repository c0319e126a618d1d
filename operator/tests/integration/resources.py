"""Show resources handled as an administrator would, with kubectl, and read back as it returns them."""

import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.show_api import NAMESPACE
from tickethub.testing import eventually

from .standin import HALL_ID, MOVIE_ID, THEATRE_ID

FINALIZER = "tickethub.io/show-operator"
SYNC_ATTEMPTS = 3  # the test operator's OPERATOR_SYNC_ATTEMPTS: giving up takes seconds, not minutes
# What the CRD declares in status; anything else would be pruned by the apiserver.
STATUS_FIELDS = {
    "observedGeneration",
    "phase",
    "catalogShowId",
    "movie",
    "theatre",
    "hall",
    "seats",
    "conditions",
}

_SLOTS = itertools.count()


def future_start() -> str:
    """A start time in the future that no other show of the run has (the stand-in keys outages by it)."""
    return (datetime(2099, 1, 1, tzinfo=UTC) + timedelta(hours=next(_SLOTS))).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Shows:
    """Show resources in the operator's namespace, handled as an administrator would with kubectl."""

    cluster: ControlPlane

    def create(self, **spec: Any) -> dict[str, Any]:
        """A new Show named uniquely; `spec` overrides the defaults (a valid show in a slot of its own)."""
        manifest = {
            "apiVersion": "tickethub.io/v1",
            "kind": "Show",
            "metadata": {"name": f"show-{uuid.uuid4().hex[:8]}", "namespace": NAMESPACE},
            "spec": {
                "movieId": MOVIE_ID,
                "theatreId": THEATRE_ID,
                "hallId": HALL_ID,
                "startsAt": future_start(),
                "prices": [
                    {"category": "STANDARD", "price": "250.00"},
                    {"category": "PREMIUM", "price": "400"},
                ],
                **spec,
            },
        }
        output = self.cluster.kubectl("create", "-f", "-", "-o", "json", input=json.dumps(manifest))
        created: dict[str, Any] = json.loads(output)
        return created

    def get(self, name: str) -> dict[str, Any] | None:
        output = self.cluster.kubectl(
            "get", "show", name, "-n", NAMESPACE, "-o", "json", "--ignore-not-found"
        )
        return json.loads(output) if output.strip() else None

    def patch_spec(self, name: str, changes: dict[str, Any]) -> str:
        patch = json.dumps({"spec": changes})
        return self.cluster.kubectl("patch", "show", name, "-n", NAMESPACE, "--type=merge", "-p", patch)

    def delete(self, name: str) -> None:
        self.cluster.kubectl("delete", "show", name, "-n", NAMESPACE, "--wait=false")

    def events(self, uid: str) -> list[dict[str, Any]]:
        selector = f"involvedObject.uid={uid}"
        output = self.cluster.kubectl(
            "get", "events", "-n", NAMESPACE, "--field-selector", selector, "-o", "json"
        )
        items: list[dict[str, Any]] = json.loads(output)["items"]
        return items


def status_of(show: dict[str, Any] | None) -> dict[str, Any]:
    status: dict[str, Any] = (show or {}).get("status", {})
    return status


def condition(show: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    return next((item for item in status_of(show).get("conditions", []) if item["type"] == kind), {})


def events_of(shows: Shows, uid: str) -> list[tuple[str, str, str]]:
    """(type, reason, message) of every event about the show."""
    return [(event["type"], event["reason"], event["message"]) for event in shows.events(uid)]


async def reported(shows: Shows, uid: str, *expected: tuple[str, str, str]) -> None:
    """Waits until every (type, reason, message) expected has been posted as an event about the show."""

    async def posted() -> bool:
        return set(expected) <= set(events_of(shows, uid))

    await eventually(posted, f"events {expected}")


async def reported_reasons(shows: Shows, uid: str, *reasons: str) -> None:
    """Waits until events with each of `reasons` have been posted about the show."""

    async def posted() -> bool:
        return set(reasons) <= {reason for _, reason, _ in events_of(shows, uid)}

    await eventually(posted, f"events with reasons {reasons}")

"""Show resources in the test cluster, driven with kubectl as a user would."""

import asyncio
import contextlib
import json
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlencode

from system import Api
from tickethub.stack import install
from tickethub.stack.control_plane import ControlPlane, KubectlError
from tickethub.stack.show_api import NAMESPACE
from tickethub.testing import eventually

Resource = dict[str, Any]
PRICES = {"STANDARD": "250.00", "PREMIUM": "400.00"}  # the seat categories of `Api.create_venue`'s hall
FINALIZER = "tickethub.io/show-operator"
# The suite's OPERATOR_SYNC_ATTEMPTS: giving up on an absent catalog takes 15 s (1 + 2 + 4 + 8), yet a
# catalog that restarts within that time is still caught by a retry.
SYNC_ATTEMPTS = 5
# The annotation in which kopf keeps the last spec it finished handling (its "diff base").
LAST_HANDLED = "tickethub.io/last-handled-configuration"
# The admission webhook's warning when it let a Show in without catalog's hall layout.
UNCHECKED = "catalog did not answer in time: the prices were not checked against the hall"
_SHOWS_PATH = f"/apis/tickethub.io/v1/namespaces/{NAMESPACE}/shows"
_WATCH_LINE_LIMIT = 1 << 20  # one watch event is one line holding the whole Show


def new_name() -> str:
    return f"show-{uuid.uuid4().hex[:8]}"


def starts_in(seconds: float) -> str:
    """A Show's startsAt `seconds` from now (RFC 3339, UTC, whole seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def show_manifest(
    name: str,
    venue: dict[str, Any],
    *,
    prices: dict[str, str],
    starts_in_seconds: float = 3 * 86_400,
    hold_seconds: int = 600,
) -> Resource:
    """A Show for a venue made by `Api.create_venue` (movie, theatre, hall with a layout)."""
    return {
        "apiVersion": "tickethub.io/v1",
        "kind": "Show",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "movieId": venue["movie"]["id"],
            "theatreId": venue["theatre"]["id"],
            "hallId": venue["hall"]["id"],
            "startsAt": starts_in(starts_in_seconds),
            "prices": [{"category": category, "price": price} for category, price in prices.items()],
            "holdSeconds": hold_seconds,
        },
    }


def condition(resource: Resource, kind: str) -> dict[str, Any]:
    conditions = resource.get("status", {}).get("conditions", [])
    return next((c for c in conditions if c["type"] == kind), {})


def is_ready(resource: Resource) -> bool:
    return condition(resource, "Ready").get("status") == "True"


def reason_of(kind: str) -> Callable[[Resource], str | None]:
    """The reason of a Show's condition `kind`, as a function of the Show."""
    return lambda resource: condition(resource, kind).get("reason")


def with_reason(kind: str, reason: str) -> Callable[[Resource], bool]:
    """Whether a Show's condition `kind` has `reason`, as a function of the Show."""
    return lambda resource: condition(resource, kind).get("reason") == reason


def phase_of(resource: Resource) -> str | None:
    phase: str | None = resource.get("status", {}).get("phase")
    return phase


def seats_of(resource: Resource) -> dict[str, int]:
    seats: dict[str, int] = resource.get("status", {}).get("seats", {})
    return seats


def handled_by_kopf(resource: Resource) -> bool:
    """kopf finished handling the Show's current spec (its handlers succeeded or gave up for good)."""
    handled = resource["metadata"].get("annotations", {}).get(LAST_HANDLED)
    return handled is not None and json.loads(handled)["spec"] == resource["spec"]


class ShowWatch:
    """Every version of one Show the apiserver sent since the watch began, in order."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.versions: list[Resource] = []
        self._stream = stream

    async def follow(self) -> None:
        async for line in self._stream:
            event = json.loads(line)
            assert event["type"] != "ERROR", event["object"]
            if event["type"] in ("ADDED", "MODIFIED"):
                self.versions.append(event["object"])

    def sequence(self, of: Callable[[Resource], str | None]) -> list[str]:
        """`of` every version, leaving out versions without it and repeats of the value before."""
        values: list[str] = []
        for version in self.versions:
            value = of(version)
            if value and (not values or values[-1] != value):
                values.append(value)
        return values


class Shows:
    def __init__(self, cluster: ControlPlane) -> None:
        self.cluster = cluster

    def kubectl(self, *args: str, input: str | None = None) -> str:
        return self.cluster.kubectl(*args, input=input)

    def apply(self, manifest: Resource, *, dry_run: bool = False) -> str:
        args = ["apply", "-f", "-"] + (["--dry-run=server"] if dry_run else [])
        return self.kubectl(*args, input=json.dumps(manifest))

    def apply_with_warnings(self, manifest: Resource) -> list[str]:
        """Applies `manifest` and returns the warnings the apiserver answered with (kubectl's stderr)."""
        result = subprocess.run(
            self._kubectl_command("apply", "-f", "-"),
            input=json.dumps(manifest),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            raise KubectlError(f"kubectl apply failed ({result.returncode}): {result.stderr.strip()}")
        return [
            line.removeprefix("Warning: ")
            for line in result.stderr.splitlines()
            if line.startswith("Warning: ")
        ]

    def refused(self, manifest: Resource, *, dry_run: bool = False) -> str:
        """The apiserver's message refusing `manifest`; fails the test if it was accepted."""
        try:
            self.apply(manifest, dry_run=dry_run)
        except KubectlError as refusal:
            return str(refusal)
        raise AssertionError(f"the apiserver accepted {manifest['metadata']['name']}")

    def get(self, name: str) -> Resource | None:
        try:
            found: Resource = json.loads(self.kubectl("get", "show", name, "-n", NAMESPACE, "-o", "json"))
        except KubectlError as error:
            if "NotFound" in str(error):
                return None
            raise
        return found

    def table(self) -> str:
        """`kubectl get shows` as a user sees it."""
        return self.kubectl("get", "shows", "-n", NAMESPACE)

    def delete(self, name: str) -> None:
        self.kubectl("delete", "show", name, "-n", NAMESPACE, "--wait=false")

    def delete_all(self, *, within: float = 120) -> None:
        """Deletes every Show and waits until the operator has withdrawn each one."""
        self.kubectl("delete", "shows", "--all", "-n", NAMESPACE, "--wait=true", f"--timeout={within:.0f}s")

    def events(self, name: str) -> list[dict[str, Any]]:
        listing = self.kubectl(
            "get", "events", "-n", NAMESPACE, "--field-selector", f"involvedObject.name={name}", "-o", "json"
        )
        items: list[dict[str, Any]] = json.loads(listing)["items"]
        return items

    def reasons(self, name: str) -> list[str]:
        """The reasons of the show's events, once per occurrence (repeats are folded into a count)."""
        return [e["reason"] for e in self.events(name) for _ in range(e.get("count") or 1)]

    def notes(self, name: str) -> list[tuple[str, str, str]]:
        """(type, reason, message) of each of the show's events."""
        return [(e["type"], e["reason"], e["message"]) for e in self.events(name)]

    async def wait_for_events(self, name: str, *reasons: str, within: float = 60) -> None:
        async def posted() -> bool:
            return set(reasons) <= set(await asyncio.to_thread(self.reasons, name))

        await eventually(posted, what=f"show {name}: events {', '.join(reasons)}", within=within)

    def can_i(self, verb: str, resource: str, *args: str, as_user: str) -> bool:
        """`kubectl auth can-i` as the admin impersonating `as_user` (it answers "no" with exit code 1)."""
        answer = subprocess.run(
            self._kubectl_command("auth", "can-i", verb, resource, *args, f"--as={as_user}"),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert answer.stdout.strip() in ("yes", "no"), answer.stderr
        return answer.stdout.strip() == "yes"

    @contextlib.asynccontextmanager
    async def watch(self, name: str) -> AsyncIterator[ShowWatch]:
        """Watches the Show `name` (which need not exist yet) from now on, missing none of its versions.

        The watch starts at the resource version of a listing made now, so the apiserver replays every
        change after it even if the watch connects a little later.
        """
        listing = json.loads(self.kubectl("get", "--raw", f"{_SHOWS_PATH}?limit=1"))
        query = urlencode(
            {
                "watch": "true",
                "fieldSelector": f"metadata.name={name}",
                "resourceVersion": listing["metadata"]["resourceVersion"],
            }
        )
        process = await asyncio.create_subprocess_exec(
            *self._kubectl_command("get", "--raw", f"{_SHOWS_PATH}?{query}"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=_WATCH_LINE_LIMIT,
        )
        assert process.stdout is not None
        watch = ShowWatch(process.stdout)
        following = asyncio.create_task(watch.follow())
        try:
            yield watch
        finally:
            process.terminate()
            await process.wait()
            await following

    def _kubectl_command(self, *args: str) -> list[str]:
        """kubectl as the admin, for when its exit code, stderr or stream matter."""
        return [
            str(install.kubernetes_bin_dir() / "kubectl"),
            f"--kubeconfig={self.cluster.kubeconfig}",
            *args,
        ]

    async def wait_for(
        self, name: str, check: Callable[[Resource], bool], *, what: str, within: float = 60
    ) -> Resource:
        async def probe() -> Resource | None:
            resource = await asyncio.to_thread(self.get, name)
            return resource if resource is not None and check(resource) else None

        return await eventually(probe, what=f"show {name}: {what}", within=within)

    async def wait_gone(self, name: str, *, within: float = 60) -> None:
        async def gone() -> bool:
            return await asyncio.to_thread(self.get, name) is None

        await eventually(gone, what=f"show {name} to disappear", within=within)


async def scheduled(api: Api, shows: Shows, manifest: Resource) -> str:
    """Applies the Show and waits until it is Ready and booking sells it; returns its uid (= show id)."""
    shows.apply(manifest)
    ready = await shows.wait_for(manifest["metadata"]["name"], is_ready, what="Ready", within=30)
    uid: str = ready["metadata"]["uid"]
    await api.wait_until_bookable(uid)
    return uid


async def in_catalog(api: Api, show_id: str) -> dict[str, Any] | None:
    """Catalog's public view of the show, or None when catalog does not know it."""
    response = await api.http.get(f"/shows/{show_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    show: dict[str, Any] = response.json()
    return show

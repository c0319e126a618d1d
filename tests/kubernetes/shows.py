"""Show resources in the test cluster, driven with kubectl as a user would."""

import asyncio
import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

from system import eventually
from tickethub.stack import install
from tickethub.stack.control_plane import ControlPlane, KubectlError
from tickethub.stack.show_api import NAMESPACE

Resource = dict[str, Any]


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
            "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + starts_in_seconds)),
            "prices": [{"category": category, "price": price} for category, price in prices.items()],
            "holdSeconds": hold_seconds,
        },
    }


def condition(resource: Resource, kind: str) -> dict[str, Any]:
    conditions = resource.get("status", {}).get("conditions", [])
    return next((c for c in conditions if c["type"] == kind), {})


def is_ready(resource: Resource) -> bool:
    return condition(resource, "Ready").get("status") == "True"


class Shows:
    def __init__(self, cluster: ControlPlane) -> None:
        self.cluster = cluster

    def kubectl(self, *args: str, input: str | None = None) -> str:
        return self.cluster.kubectl(*args, input=input)

    def apply(self, manifest: Resource, *, dry_run: bool = False) -> str:
        args = ["apply", "-f", "-"] + (["--dry-run=server"] if dry_run else [])
        return self.kubectl(*args, input=json.dumps(manifest))

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

    def events(self, name: str) -> list[dict[str, Any]]:
        listing = self.kubectl(
            "get", "events", "-n", NAMESPACE, "--field-selector", f"involvedObject.name={name}", "-o", "json"
        )
        items: list[dict[str, Any]] = json.loads(listing)["items"]
        return items

    def reasons(self, name: str) -> list[str]:
        """The reasons of the show's events, once per occurrence (repeats are folded into a count)."""
        return [e["reason"] for e in self.events(name) for _ in range(e.get("count") or 1)]

    def can_i(self, verb: str, resource: str, *args: str, as_user: str) -> bool:
        """`kubectl auth can-i` as the admin impersonating `as_user` (it answers "no" with exit code 1)."""
        answer = subprocess.run(
            [
                str(install.kubernetes_bin_dir() / "kubectl"),
                f"--kubeconfig={self.cluster.kubeconfig}",
                "auth",
                "can-i",
                verb,
                resource,
                *args,
                f"--as={as_user}",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert answer.stdout.strip() in ("yes", "no"), answer.stderr
        return answer.stdout.strip() == "yes"

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

"""Reads the public path table (charts/tickethub/files/routes.yaml), shared with the Ingress."""

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

ROUTES_FILE = Path("charts/tickethub/files/routes.yaml")


@dataclass(frozen=True)
class Route:
    prefix: str
    service: str


def repo_root() -> Path:
    """The checkout this command runs in ($TICKETHUB_REPO_ROOT, or the nearest parent with the table)."""
    if configured := os.environ.get("TICKETHUB_REPO_ROOT"):
        return Path(configured)
    for directory in (Path.cwd(), *Path.cwd().parents):
        if (directory / ROUTES_FILE).is_file():
            return directory
    raise FileNotFoundError(f"run this inside a TicketHub checkout (no {ROUTES_FILE} found)")


def load_routes(root: Path | None = None) -> list[Route]:
    table = yaml.safe_load(((root or repo_root()) / ROUTES_FILE).read_text())
    routes = [Route(prefix, service) for service, prefixes in table.items() for prefix in prefixes]
    # Longest prefix first, so a more specific path wins wherever order matters.
    return sorted(routes, key=lambda route: (-len(route.prefix), route.prefix))

"""The services and what each one uses and calls, read from the chart's values (charts/tickethub/values.yaml).

The chart declares the topology once (`services.<name>`, merged over `defaults`); the local stack reads
the same declaration instead of restating it, so a service added there runs here too (once it has a
port in local.Ports).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tickethub.stack.routes import repo_root

VALUES_FILE = Path("charts/tickethub/values.yaml")


@dataclass(frozen=True)
class ChartService:
    """One entry of the chart's `services`, with `defaults` merged under it."""

    # Backends: postgresql (a database of its own, migrated), redis, kafka, smtp.
    uses: frozenset[str]
    # The services it sends requests to.
    calls: tuple[str, ...]
    # Plain variables, NAME: value.
    env: Mapping[str, str]
    # NAME: the key of the Kubernetes Secret that holds the value. The Secret's name is a template only
    # a cluster install resolves; the key says what the value is.
    secret_env: Mapping[str, str]
    # NAME: the key of the Secret mounted as a file, NAME set to its path.
    secret_files: Mapping[str, str]

    @property
    def has_database(self) -> bool:
        return "postgresql" in self.uses


def chart_services(root: Path | None = None) -> dict[str, ChartService]:
    """Every service of the chart's values, in the order they are declared."""
    values = yaml.safe_load(((root or repo_root()) / VALUES_FILE).read_text())
    return {name: _service(_merged(values["defaults"], entry)) for name, entry in values["services"].items()}


def calls_environment(service: ChartService, url_of: Callable[[str], str]) -> dict[str, str]:
    """What the chart's shared configuration tells a service of those it calls: `<NAME>_URL`, each one's
    base URL, and, calling users, JWT_JWKS_URL, the keys that tokens are verified with."""
    environment = {f"{callee.upper().replace('-', '_')}_URL": url_of(callee) for callee in service.calls}
    if "users" in service.calls:
        environment["JWT_JWKS_URL"] = url_of("users") + "/.well-known/jwks.json"
    return environment


def _service(settings: Mapping[str, Any]) -> ChartService:
    return ChartService(
        uses=frozenset(settings["uses"]),
        calls=tuple(settings["calls"]),
        env={variable: str(value) for variable, value in settings["env"].items()},
        secret_env={variable: ref["key"] for variable, ref in settings["secretEnv"].items()},
        secret_files={variable: ref["key"] for variable, ref in settings["secretFiles"].items()},
    )


def _merged(defaults: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """`entry` over `defaults` as the chart merges them: maps key by key, anything else replaced."""
    merged = dict(defaults)
    for key, value in entry.items():
        below = merged.get(key)
        merged[key] = (
            _merged(below, value) if isinstance(value, Mapping) and isinstance(below, Mapping) else value
        )
    return merged

"""The Tiltfile as Tilt would load it, for tests on machines without Tilt.

The file is evaluated by Go's Starlark, the interpreter Tilt embeds. Tilt's built-ins are recorded
instead of executed, and each accepts exactly the parameters of Tilt's API (a misspelled keyword is an
error, as in Tilt), except `helm()`, which runs `helm template` the way Tilt does (with the chart's
CRDs), so the manifests Tilt would deploy are at hand.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import starlark_go
import yaml

from tickethub.stack.helm import HelmError, helm_template

# Tilt's built-ins this project uses, each with its parameters in Tilt's order (positional arguments
# bind to them in that order). From Tilt's Tiltfile API reference.
TILT_API: dict[str, tuple[str, ...]] = {
    "version_settings": ("check_updates", "constraint"),
    "docker_build": (
        "ref", "context", "build_args", "dockerfile", "dockerfile_contents", "live_update",
        "match_in_env_vars", "ignore", "only", "entrypoint", "target", "ssh", "network", "secret",
        "extra_tag", "container_args", "cache_from", "pull", "platform", "extra_hosts",
    ),
    "fall_back_on": ("files",),
    "sync": ("local_path", "remote_path"),
    "run": ("cmd", "trigger", "echo_off"),
    "helm": ("pathToChartDir", "name", "namespace", "values", "set", "kube_version"),
    "k8s_yaml": ("yaml", "allow_duplicates"),
    "k8s_resource": (
        "workload", "new_name", "port_forwards", "extra_pod_selectors", "trigger_mode",
        "resource_deps", "objects", "auto_init", "pod_readiness", "links", "labels",
        "discovery_strategy",
    ),
    "local_resource": (
        "name", "cmd", "deps", "trigger_mode", "resource_deps", "ignore", "auto_init", "serve_cmd",
        "cmd_bat", "serve_cmd_bat", "allow_parallel", "links", "tags", "env", "serve_env",
        "readiness_probe", "dir", "serve_dir", "labels",
    ),
    "port_forward": ("local_port", "container_port", "name", "link_path", "host"),
    "link": ("url", "name"),
}  # fmt: skip
TRIGGER_MODES = {"TRIGGER_MODE_AUTO": "auto", "TRIGGER_MODE_MANUAL": "manual"}


class TiltfileError(RuntimeError):
    pass


@dataclass
class Tiltfile:
    """What loading the Tiltfile asked of Tilt: one list of calls per built-in, and the manifests."""

    path: Path
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    manifests: list[dict[str, Any]] = field(default_factory=list)

    def __getitem__(self, builtin: str) -> list[dict[str, Any]]:
        return self.calls.get(builtin, [])

    def workloads(self) -> list[dict[str, Any]]:
        return [m for m in self.manifests if m["kind"] in WORKLOAD_KINDS]


WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}


def load_tiltfile(path: Path) -> Tiltfile:
    """Evaluate `path` with recording built-ins; `helm()` renders with the pinned Helm."""
    tiltfile = Tiltfile(path)
    directory = path.parent

    def record(builtin: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        arguments = _bind(builtin, args, kwargs)
        tiltfile.calls.setdefault(builtin, []).append(arguments)
        result = results.get(builtin)
        return result(arguments) if result else None

    def render_chart(arguments: dict[str, Any]) -> dict[str, str]:
        return {"blob": _helm_template(directory, arguments)}

    def add_manifests(arguments: dict[str, Any]) -> None:
        tiltfile.manifests += [m for m in yaml.safe_load_all(_yaml_text(directory, arguments["yaml"])) if m]

    def step(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return lambda arguments: {"step": kind, **arguments}

    results: dict[str, Callable[[dict[str, Any]], Any]] = {
        "helm": render_chart,
        "k8s_yaml": add_manifests,
        "fall_back_on": step("fall_back_on"),
        "sync": step("sync"),
        "run": step("run"),
        "port_forward": step("port_forward"),
        "link": step("link"),
    }
    # The dialect Tilt enables: top-level if/for/while and reassignment, sets, recursion.
    starlark_go.configure_starlark(allow_set=True, allow_global_reassign=True, allow_recursion=True)
    interpreter = starlark_go.Starlark(globals=TRIGGER_MODES)
    interpreter.set(_tilt=record)
    try:
        interpreter.exec(_BUILTINS, filename="<tilt built-ins>")
        interpreter.exec(path.read_text(), filename=str(path))
    except starlark_go.StarlarkError as error:
        raise TiltfileError(f"{path}: {error}") from error
    return tiltfile


# Each built-in as a Starlark function handing its arguments to Python positionally: starlark-go
# 1.0.1 crashes when a Python closure is called with keyword arguments only.
_BUILTINS = "".join(
    f"def {builtin}(*args, **kwargs):\n    return _tilt({builtin!r}, args, kwargs)\n" for builtin in TILT_API
)


def _bind(builtin: str, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    parameters = TILT_API[builtin]
    if len(args) > len(parameters):
        raise TiltfileError(f"{builtin}() takes at most {len(parameters)} positional arguments")
    unknown = sorted(set(kwargs) - set(parameters))
    if unknown:
        raise TiltfileError(f"{builtin}() has no parameter {', '.join(unknown)}")
    bound = dict(zip(parameters, args, strict=False))
    twice = sorted(set(bound) & set(kwargs))
    if twice:
        raise TiltfileError(f"{builtin}() got {', '.join(twice)} twice")
    return bound | kwargs


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _helm_template(directory: Path, arguments: dict[str, Any]) -> str:
    try:
        return helm_template(
            arguments["pathToChartDir"],
            release=arguments.get("name") or "release-name",  # what `helm template` calls a nameless one
            namespace=arguments.get("namespace") or None,
            values=_as_list(arguments.get("values")),
            settings=_as_list(arguments.get("set")),
            options=["--include-crds"],
            cwd=directory,
        )
    except HelmError as refused:
        raise TiltfileError(f"helm() failed: {refused}") from refused


def _yaml_text(directory: Path, source: Any) -> str:
    if isinstance(source, dict):  # a Blob (what helm() returns)
        return str(source["blob"])
    return "\n---\n".join((directory / file).read_text() for file in _as_list(source))

"""Offline manifest validation with kubeconform: Kubernetes' own JSON schemas and our CRDs'.

Kubernetes' schemas come from the `kubernetes-validate` package, rewritten once into the cache so that
kubeconform resolves their references to files next to them (as published, they point at
kubernetes.io). Each CRD version becomes a strict JSON schema in kubeconform's CRD layout
`<group>/<kind>_<version>.json`: an unknown field fails, as it would be pruned by the API server.

    crds = crd_schema_dir(Path("charts/tickethub/crds").glob("*.yaml"), tmp / "crd-schemas")
    report = kubeconform(rendered_manifests, crd_schemas=crds)
    assert report.resources and not report.failures
"""

import importlib.metadata
import importlib.resources
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from tickethub.stack import install
from tickethub.stack.paths import cache_dir

# The Kubernetes release the schemas describe: the control plane's minor version.
KUBERNETES_VERSION = "1.34.0"
_SCHEMA_PACKAGE = "kubernetes_validate"
_SCHEMA_DISTRIBUTION = "kubernetes-validate"
# kubernetes-validate's file names match kubeconform's own template variables: `deployment-apps-v1.json`.
_KUBERNETES_TEMPLATE = (
    "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
_CRD_TEMPLATE = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
_DEFINITIONS = "_definitions.json"
# Fields every object has without its CRD schema naming them.
_OBJECT_FIELDS: dict[str, Any] = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class ResourceResult:
    """kubeconform's verdict on one resource: status is valid, invalid, error, skipped or empty."""

    kind: str
    name: str
    api_version: str
    status: str
    message: str


@dataclass(frozen=True)
class KubeconformReport:
    resources: list[ResourceResult]

    @property
    def failures(self) -> list[ResourceResult]:
        """Resources that are invalid, or that could not be checked (no schema, unreadable)."""
        return [r for r in self.resources if r.status not in {"valid", "skipped", "empty"}]


def kubernetes_schema_root() -> Path:
    """kubernetes-validate's schemas of KUBERNETES_VERSION (plain and strict), prepared for kubeconform.

    Made once per package version under the cache; concurrent callers never see a half-written tree.
    """
    package_version = importlib.metadata.version(_SCHEMA_DISTRIBUTION)
    root = cache_dir() / "kubernetes-json-schema" / f"{_SCHEMA_DISTRIBUTION}-{package_version}"
    if root.is_dir():
        return root
    partial = root.with_name(f"{root.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    shipped = importlib.resources.files(_SCHEMA_PACKAGE) / "kubernetes-json-schema"
    for suffix in ("", "-strict"):
        directory = f"v{KUBERNETES_VERSION}-local{suffix}"
        _write_offline_copy(shipped / directory, partial / directory)
    try:
        partial.rename(root)
    except OSError:
        if not root.is_dir():
            raise
        shutil.rmtree(partial)  # another process finished first: its copy is the same
    return root


def crd_schema_dir(crd_files: Iterable[Path], directory: Path) -> Path:
    """Write the strict JSON schema of every version of every CRD in `crd_files` under `directory`."""
    for crd_file in crd_files:
        for crd in yaml.safe_load_all(crd_file.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                target = directory / spec["group"] / f"{spec['names']['kind'].lower()}_{version['name']}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                schema = crd_json_schema(version["schema"]["openAPIV3Schema"])
                target.write_text(json.dumps(schema, indent=1))
    return directory


def crd_json_schema(openapi_v3_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON schema (draft 4, which OpenAPI 3.0 schemas follow) of a CRD version's openAPIV3Schema.

    Objects with `properties` refuse other fields unless they preserve unknown fields, like the API
    server's pruning; `nullable` allows null; int-or-string allows either; `x-kubernetes-*` extensions
    (CEL rules among them) are left out, since JSON schema cannot check them.
    """
    schema = _json_schema(openapi_v3_schema, closed=True)
    schema["properties"] = {**_OBJECT_FIELDS, **schema.get("properties", {})}
    return schema


def schema_arguments(crd_schemas: Path | None = None) -> list[str]:
    """kubeconform's `-kubernetes-version` and `-schema-location` arguments: Kubernetes, then our CRDs."""
    arguments = [
        "-kubernetes-version",
        KUBERNETES_VERSION,
        "-schema-location",
        f"{kubernetes_schema_root()}/{_KUBERNETES_TEMPLATE}",
    ]
    if crd_schemas is not None:
        arguments += ["-schema-location", f"{crd_schemas.absolute()}/{_CRD_TEMPLATE}"]
    return arguments


def kubeconform(manifests: str, *, crd_schemas: Path | None = None, strict: bool = True) -> KubeconformReport:
    """Validate YAML manifests offline: every resource needs a schema (a kind without one is a failure)."""
    arguments = [
        str(install.ensure_kubeconform()),
        "-output",
        "json",
        "-verbose",
        *schema_arguments(crd_schemas),
    ]
    if strict:
        arguments.append("-strict")
    result = subprocess.run(
        [*arguments, "-"],
        input=manifests,
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT_SECONDS,
    )
    try:
        output = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"kubeconform failed ({result.returncode}): {result.stderr.strip()}") from exc
    return KubeconformReport(
        resources=[
            ResourceResult(
                kind=resource["kind"],
                name=resource["name"],
                api_version=resource["version"],
                status=resource["status"].removeprefix("status").lower(),
                message=resource.get("msg", ""),
            )
            for resource in output["resources"]
        ]
    )


def _write_offline_copy(source: Traversable, target: Path) -> None:
    """Copy one schema directory with its references made relative to the files themselves.

    As shipped, each schema has an `$id` on kubernetes.io and refers to `/api/_definitions.json`, which
    resolves against that `$id`: without the `$id`, `_definitions.json` is the file next to it.
    """
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if not entry.name.endswith(".json"):
            continue
        schema = json.loads(entry.read_text())
        schema.pop("$id", None)
        text = json.dumps(schema).replace(f'"/api/{_DEFINITIONS}#', f'"{_DEFINITIONS}#')
        (target / entry.name).write_text(text)


def _json_schema(node: Mapping[str, Any], *, closed: bool) -> dict[str, Any]:
    """Convert one schema node; `closed=False` inside allOf/anyOf/oneOf/not, which only add checks to
    fields declared outside them (structural schemas), so they must not refuse other fields."""
    schema = {key: value for key, value in node.items() if not key.startswith("x-kubernetes-")}
    schema.pop("nullable", None)
    if "properties" in node:
        schema["properties"] = {
            name: _json_schema(child, closed=closed) for name, child in node["properties"].items()
        }
    if isinstance(node.get("additionalProperties"), Mapping):
        schema["additionalProperties"] = _json_schema(node["additionalProperties"], closed=closed)
    if "items" in node:
        schema["items"] = _json_schema(node["items"], closed=closed)
    for key in _SCHEMA_LISTS:
        if key in node:
            schema[key] = [_json_schema(child, closed=False) for child in node[key]]
    if "not" in node:
        schema["not"] = _json_schema(node["not"], closed=False)
    if node.get("x-kubernetes-embedded-resource"):
        schema["properties"] = {**_OBJECT_FIELDS, **schema.get("properties", {})}
    if node.get("x-kubernetes-int-or-string"):
        schema.pop("type", None)
        schema["allOf"] = [*schema.get("allOf", []), {"anyOf": [{"type": "integer"}, {"type": "string"}]}]
    if node.get("nullable"):
        if "type" in schema:
            schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    open_ended = node.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in node
    if closed and "properties" in schema and not open_ended:
        schema["additionalProperties"] = False
    return schema

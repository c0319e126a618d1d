"""Helm, kubeconform and kwok install from their pinned Go modules and report those versions;
kubeconform validates manifests offline against Kubernetes' schemas and our CRDs' generated ones."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tickethub.stack import install
from tickethub.stack.kube_schemas import KUBERNETES_VERSION, crd_json_schema, crd_schema_dir, kubeconform

REPOSITORY = Path(__file__).resolve().parents[3]
CRDS = REPOSITORY / "charts" / "tickethub" / "crds"
EXAMPLE_SHOW = REPOSITORY / "k8s" / "examples" / "show.yaml"

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
          ports: [{containerPort: 8000}]
"""


def version_output(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout.strip()


@pytest.fixture(scope="module")
def crd_schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crd_schema_dir(sorted(CRDS.glob("*.yaml")), tmp_path_factory.mktemp("crd-schemas"))


def test_helm_reports_its_pinned_version_and_assumes_a_current_kubernetes(tmp_path: Path) -> None:
    helm = install.ensure_helm()
    assert version_output(str(helm), "version", "--short") == install.HELM_VERSION
    chart = tmp_path / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    (chart / "templates" / "kube.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube}\n"
        "data: {minor: {{ .Capabilities.KubeVersion.Minor | quote }}}\n"
    )
    rendered = subprocess.run(
        [str(helm), "template", "probe", str(chart)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"HELM_CONFIG_HOME": str(tmp_path / "helm"), "HELM_CACHE_HOME": str(tmp_path / "helm")},
    ).stdout
    # Without the release build's stamp Helm would assume Kubernetes 1.20 when no cluster is asked.
    assert int(yaml.safe_load(rendered)["data"]["minor"]) >= int(KUBERNETES_VERSION.split(".")[1])


def test_kubeconform_reports_its_pinned_version() -> None:
    assert version_output(str(install.ensure_kubeconform()), "-v") == install.KUBECONFORM_VERSION


def test_kwok_reports_its_pinned_version_and_ships_its_stages() -> None:
    kwok = install.ensure_kwok()
    assert version_output(str(kwok.binary), "--version").startswith(f"kwok version {install.KWOK_VERSION} ")
    stages = {yaml.safe_load(stage.read_text())["metadata"]["name"] for stage in kwok.stage_files}
    assert {
        "node-initialize",
        "node-heartbeat-with-lease",
        "pod-ready",
        "pod-complete",
        "pod-delete",
    } <= stages
    assert yaml.safe_load(kwok.storage_class.read_text())["kind"] == "StorageClass"


def test_kubeconform_accepts_a_valid_manifest_offline() -> None:
    report = kubeconform(DEPLOYMENT)
    assert [(r.kind, r.status) for r in report.resources] == [("Deployment", "valid")]
    assert report.failures == []


def test_kubeconform_refuses_an_unknown_field_and_a_wrong_type() -> None:
    unknown_field = DEPLOYMENT.replace("ports:", "portz:")
    wrong_type = DEPLOYMENT.replace("replicas: 2", "replicas: two")
    for manifest, complaint in ((unknown_field, "portz"), (wrong_type, "replicas")):
        [result] = kubeconform(manifest).failures
        assert result.status == "invalid"
        assert complaint in result.message


def test_kubeconform_validates_a_show_against_the_generated_crd_schema(crd_schemas: Path) -> None:
    report = kubeconform(EXAMPLE_SHOW.read_text(), crd_schemas=crd_schemas)
    assert [(r.kind, r.name, r.status) for r in report.resources] == [
        ("Show", "harbour-lights-premiere", "valid")
    ]


def test_kubeconform_refuses_a_show_with_a_misspelled_spec_field(crd_schemas: Path) -> None:
    misspelled = EXAMPLE_SHOW.read_text().replace("holdSeconds:", "holdSecond:")
    [result] = kubeconform(misspelled, crd_schemas=crd_schemas).failures
    assert result.status == "invalid"
    assert "holdSecond" in result.message


def test_a_custom_resource_without_a_schema_is_an_error_not_a_pass() -> None:
    [result] = kubeconform(EXAMPLE_SHOW.read_text()).failures
    assert result.status == "error"
    assert "could not find schema" in result.message


def test_the_crds_own_manifests_validate(crd_schemas: Path) -> None:
    manifests = "\n---\n".join(path.read_text() for path in sorted(CRDS.glob("*.yaml")))
    report = kubeconform(manifests, crd_schemas=crd_schemas)
    assert len(report.resources) == len(list(CRDS.glob("*.yaml")))
    assert report.failures == []


def test_crd_schema_files_follow_kubeconforms_group_kind_version_layout(crd_schemas: Path) -> None:
    show = json.loads((crd_schemas / "tickethub.io" / "show_v1.json").read_text())
    assert show["additionalProperties"] is False
    assert {"apiVersion", "kind", "metadata", "spec", "status"} <= show["properties"].keys()


def test_crd_json_schema_closes_objects_except_where_the_api_server_keeps_unknown_fields() -> None:
    openapi: dict[str, Any] = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "port": {"x-kubernetes-int-or-string": True},
                    "note": {"type": "string", "nullable": True},
                    "extra": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                        "properties": {},
                    },
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "choice": {
                        "type": "object",
                        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                        "oneOf": [{"required": ["a"]}, {"properties": {"b": {"minLength": 1}}}],
                    },
                },
                "x-kubernetes-validations": [{"rule": "true"}],
            }
        },
    }
    schema = crd_json_schema(openapi)
    spec = schema["properties"]["spec"]
    assert schema["additionalProperties"] is False
    assert spec["additionalProperties"] is False
    assert "x-kubernetes-validations" not in spec
    assert "type" not in spec["properties"]["port"]
    assert spec["properties"]["port"]["allOf"] == [{"anyOf": [{"type": "integer"}, {"type": "string"}]}]
    assert spec["properties"]["note"]["type"] == ["string", "null"]
    assert "additionalProperties" not in spec["properties"]["extra"]
    assert spec["properties"]["labels"]["additionalProperties"] == {"type": "string"}
    choice = spec["properties"]["choice"]
    assert choice["additionalProperties"] is False
    assert "additionalProperties" not in choice["oneOf"][1]  # a branch only adds checks

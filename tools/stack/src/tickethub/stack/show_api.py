"""Shows as Kubernetes resources on the local control plane: the API and the operator that serves it.

`install_show_api` puts in the CRDs of the chart, the namespace, the operator's least-privilege RBAC
(its Role has the chart's rules, files/operator-rbac-rules.yaml) and the registration of its admission
webhook; `ShowOperator` is one operator replica as a local process, logged in to Kubernetes with its
ServiceAccount's token and to the services with its OAuth client. The chart (charts/tickethub) does
the same in a real cluster.
"""

import base64
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from tickethub.stack import probes
from tickethub.stack.certificates import Certificate
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.routes import repo_root
from tickethub.stack.services import WorkspaceProcess

NAMESPACE = "tickethub"
OPERATOR_ACCOUNT = "show-operator"
# kopf serves each admission handler at /<handler id>; the operator's is this one.
WEBHOOK_PATH = "/validate-show"
_WEBHOOK_NAME = "shows.tickethub.io"
# The operator's Role rules: one file for the chart's Role and the local stack's.
OPERATOR_RBAC_RULES = Path("charts/tickethub/files/operator-rbac-rules.yaml")


def install_show_api(cluster: ControlPlane, *, webhook_url: str, certificate: Certificate) -> None:
    """Apply (idempotently) everything a Show needs before the operator starts."""
    root = repo_root()
    cluster.apply(root / "charts" / "tickethub" / "crds")
    cluster.wait_established("shows.tickethub.io", "kopfpeerings.kopf.dev")
    cluster.apply(root / "k8s" / "namespace.yaml")
    cluster.apply(root / "k8s" / "operator" / "rbac.yaml")
    cluster.apply(json.dumps(operator_role(root)))
    cluster.apply(json.dumps(webhook_configuration(webhook_url, certificate.ca_pem)))


def operator_role(root: Path) -> dict[str, object]:
    """The operator's Role in its namespace, bound to its ServiceAccount by k8s/operator/rbac.yaml."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {
            "name": OPERATOR_ACCOUNT,
            "namespace": NAMESPACE,
            "labels": {
                "app.kubernetes.io/name": "tickethub",
                "app.kubernetes.io/component": OPERATOR_ACCOUNT,
            },
        },
        "rules": yaml.safe_load((root / OPERATOR_RBAC_RULES).read_text()),
    }


def webhook_configuration(url: str, ca_pem: bytes) -> dict[str, object]:
    """Send each new Show, and each change of a Show's spec, to the operator for what CEL cannot check."""
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": _WEBHOOK_NAME, "labels": {"app.kubernetes.io/component": OPERATOR_ACCOUNT}},
        "webhooks": [
            {
                "name": _WEBHOOK_NAME,
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
                # A Show the operator could not check is not let in (the start-time rule has no other guard).
                "failurePolicy": "Fail",
                "timeoutSeconds": 5,
                "clientConfig": {"url": url, "caBundle": base64.b64encode(ca_pem).decode()},
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}},
                "rules": [
                    {
                        "apiGroups": ["tickethub.io"],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["shows"],
                        "scope": "Namespaced",
                    }
                ],
                # Finalizer and annotation updates (the operator's own) never wait for the operator.
                "matchConditions": [
                    {
                        "name": "spec-is-new-or-changed",
                        "expression": "request.operation == 'CREATE' || object.spec != oldObject.spec",
                    }
                ],
            }
        ],
    }


class ShowOperator(WorkspaceProcess):
    """One replica of the show operator; replicas need distinct priorities (see kopf peering)."""

    def __init__(
        self, data_dir: Path, *, health_port: int, webhook_port: int | None, environment: Mapping[str, str]
    ) -> None:
        super().__init__(data_dir, environment)
        self.health_port = health_port
        self.webhook_port = webhook_port

    @property
    def name(self) -> str:  # type: ignore[override]  # one class serves every replica
        return self.data_dir.name

    @property
    def ports(self) -> Sequence[int]:
        return [self.health_port] + ([self.webhook_port] if self.webhook_port else [])

    def _command(self) -> list[str]:
        return [sys.executable, "-m", "show_operator"]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"http://{LOOPBACK}:{self.health_port}/healthz")

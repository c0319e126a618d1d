"""The local stack's Show API objects and the chart's: the same RBAC rules, the same webhook registration."""

import base64
from functools import cache
from typing import Any

import yaml

from tickethub.stack.helm import helm_template, objects
from tickethub.stack.routes import repo_root
from tickethub.stack.show_api import NAMESPACE, WEBHOOK_PATH, operator_role, webhook_configuration


@cache
def chart_operator_objects() -> list[dict[str, Any]]:
    """What the chart renders for the operator, installed in the local stack's namespace."""
    rendered = helm_template(
        repo_root() / "charts" / "tickethub",
        namespace=NAMESPACE,
        options=["--show-only", "templates/operator.yaml"],
    )
    return objects(rendered)


def the_one(kind: str) -> dict[str, Any]:
    [found] = [document for document in chart_operator_objects() if document["kind"] == kind]
    return found


def test_the_local_role_grants_exactly_what_the_charts_role_grants() -> None:
    chart_rules = the_one("Role")["rules"]
    assert chart_rules == operator_role(repo_root())["rules"]
    assert {"shows", "shows/status", "events", "kopfpeerings"} == {
        resource for rule in chart_rules for resource in rule["resources"]
    }


def test_the_local_manifests_bind_the_role_but_define_no_rules_of_their_own() -> None:
    manifests = repo_root() / "k8s" / "operator" / "rbac.yaml"
    kinds = [document["kind"] for document in yaml.safe_load_all(manifests.read_text()) if document]
    assert "RoleBinding" in kinds
    assert "Role" not in kinds


def test_the_charts_webhook_registration_mirrors_the_local_one() -> None:
    [chart_webhook] = the_one("ValidatingWebhookConfiguration")["webhooks"]
    [local_webhook] = webhook_configuration(f"https://127.0.0.1:8443{WEBHOOK_PATH}", b"unused")["webhooks"]

    def without_client_config(webhook: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in webhook.items() if key != "clientConfig"}

    assert without_client_config(chart_webhook) == without_client_config(local_webhook)
    # The chart reaches the operator through its Service, at the same path, trusting the CA it made.
    client = chart_webhook["clientConfig"]
    assert client["service"]["path"] == WEBHOOK_PATH
    assert base64.b64decode(client["caBundle"]).startswith(b"-----BEGIN CERTIFICATE-----")

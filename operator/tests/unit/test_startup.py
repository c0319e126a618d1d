"""kopf's own set-up: state in our annotations, our finalizer, mandatory peering, one namespace, a webhook
only when configured."""

from pathlib import Path

import httpx
import kopf
import pytest

from show_operator.clients import ShowServices
from show_operator.handlers import WEBHOOK_ID, build_registry
from show_operator.settings import Settings
from show_operator.startup import FINALIZER, configure_kopf

BASE = {
    "CATALOG_URL": "http://catalog:8000",
    "BOOKING_URL": "http://booking:8000",
    "OAUTH_TOKEN_URL": "http://users:8000/auth/token",
    "OAUTH_CLIENT_SECRET": "s3cret",
}


def settings(**variables: str) -> Settings:
    return Settings.model_validate({**BASE, **variables})


def configured(**variables: str) -> kopf.OperatorSettings:
    kopf_settings = kopf.OperatorSettings()
    configure_kopf(kopf_settings, settings(**variables))
    return kopf_settings


def test_kopf_keeps_its_state_in_annotations_under_our_prefix() -> None:
    persistence = configured().persistence
    assert persistence.finalizer == FINALIZER == "tickethub.io/show-operator"
    progress, diffbase = persistence.progress_storage, persistence.diffbase_storage
    assert isinstance(progress, kopf.AnnotationsProgressStorage)
    assert isinstance(diffbase, kopf.AnnotationsDiffBaseStorage)
    assert progress.prefix == diffbase.prefix == "tickethub.io"


def test_peering_is_mandatory_in_the_namespace_with_our_name_and_priority() -> None:
    peering = configured(OPERATOR_PRIORITY="42", OPERATOR_PEERING_NAME="shows-peering").peering
    assert (peering.name, peering.priority, peering.mandatory) == ("shows-peering", 42, True)
    assert not peering.clusterwide
    assert not peering.standalone


def test_no_cluster_scans_and_events_are_posted() -> None:
    kopf_settings = configured()
    assert kopf_settings.scanning.disabled
    assert kopf_settings.posting.enabled
    assert kopf_settings.posting.reporting_component == "show-operator"
    assert kopf_settings.watching.server_timeout is not None
    assert kopf_settings.watching.client_timeout is not None
    assert kopf_settings.watching.client_timeout > kopf_settings.watching.server_timeout


def test_no_webhook_server_unless_a_port_is_given(tmp_path: Path) -> None:
    assert configured().admission.server is None
    server = configured(
        OPERATOR_WEBHOOK_PORT="9443",
        OPERATOR_LISTEN_ADDRESS="127.0.0.1",
        OPERATOR_WEBHOOK_CERT_FILE=str(tmp_path / "tls.crt"),
        OPERATOR_WEBHOOK_KEY_FILE=str(tmp_path / "tls.key"),
    ).admission.server
    assert isinstance(server, kopf.WebhookServer)
    assert (server.addr, server.port, server.certfile, server.pkeyfile) == (
        "127.0.0.1",
        9443,
        tmp_path / "tls.crt",
        tmp_path / "tls.key",
    )


@pytest.mark.parametrize(("port", "registered"), [(None, False), ("9443", True)])
def test_the_validating_handler_is_registered_only_with_a_webhook_server(
    tmp_path: Path, port: str | None, registered: bool
) -> None:
    webhook = (
        {}
        if port is None
        else {
            "OPERATOR_WEBHOOK_PORT": port,
            "OPERATOR_WEBHOOK_CERT_FILE": str(tmp_path / "tls.crt"),
            "OPERATOR_WEBHOOK_KEY_FILE": str(tmp_path / "tls.key"),
        }
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(500)))
    services = ShowServices(
        http, catalog_url="http://c", booking_url="http://b", auth=httpx.BasicAuth("a", "b")
    )
    registry = build_registry(settings(**webhook), services)
    ids = {handler.id for handler in registry._webhooks.get_all_handlers()}
    assert ids == ({WEBHOOK_ID} if registered else set())

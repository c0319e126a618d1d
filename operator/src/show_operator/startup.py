"""How kopf itself is set up for the show operator: its state, peering, events, watches and webhook.

The Show CRD is structural, so the apiserver prunes status fields it does not declare: kopf's own
state (handler progress, the last handled spec) goes into annotations under our prefix instead.
"""

import os
import socket
from typing import Any

import kopf

from show_operator.settings import Settings

PREFIX = "tickethub.io"
FINALIZER = f"{PREFIX}/show-operator"
COMPONENT = "show-operator"
# Each watch is asked to end after a few minutes and is then started again; the client waits a little
# longer than that before it calls a silent connection dead, so a dropped one is replaced within minutes.
_WATCH_SERVER_TIMEOUT_SECONDS = 270  # whole seconds: it becomes the `timeoutSeconds` query parameter
_WATCH_CLIENT_TIMEOUT_SECONDS = 300.0
_CONNECT_TIMEOUT_SECONDS = 10.0
_REQUEST_TIMEOUT_SECONDS = 60.0


def configure_kopf(kopf_settings: kopf.OperatorSettings, settings: Settings) -> None:
    """Applies our choices to kopf's settings (called from the startup handler)."""
    persistence = kopf_settings.persistence
    persistence.finalizer = FINALIZER
    persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=PREFIX, v1=False)
    persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=PREFIX, v1=False)

    peering = kopf_settings.peering
    peering.name = settings.peering_name
    peering.priority = settings.priority
    peering.mandatory = True
    peering.standalone = False
    peering.clusterwide = False

    # The Role grants no cluster-wide reads: serve the one namespace and the resources seen at start.
    kopf_settings.scanning.disabled = True

    posting = kopf_settings.posting
    posting.enabled = True
    posting.reporting_component = COMPONENT
    posting.reporting_instance = os.environ.get("HOSTNAME") or socket.gethostname()
    posting.event_name_prefix = f"{COMPONENT}-"

    kopf_settings.watching.server_timeout = _WATCH_SERVER_TIMEOUT_SECONDS
    kopf_settings.watching.client_timeout = _WATCH_CLIENT_TIMEOUT_SECONDS
    kopf_settings.watching.connect_timeout = _CONNECT_TIMEOUT_SECONDS
    kopf_settings.networking.connect_timeout = _CONNECT_TIMEOUT_SECONDS
    kopf_settings.networking.request_timeout = _REQUEST_TIMEOUT_SECONDS

    if settings.webhook_port is not None:
        # The ValidatingWebhookConfiguration is installed with the operator, not by it (least
        # privilege), so `admission.managed` stays unset.
        kopf_settings.admission.server = kopf.WebhookServer(
            addr=settings.listen_address,
            port=settings.webhook_port,
            certfile=settings.webhook_cert_file,
            pkeyfile=settings.webhook_key_file,
        )


def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    """The kubeconfig's credentials when there is one (development), else the pod's ServiceAccount token.

    kopf reads both itself; no Kubernetes client library is needed for it.
    """
    return kopf.login_with_kubeconfig(**kwargs) or kopf.login_with_service_account(**kwargs)

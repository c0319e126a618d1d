"""The settings a service runs with under test: its own migrated database, the test Kafka, test tokens."""

from typing import Any

from tickethub.testing.infra import Infrastructure, migrated_database
from tickethub.testing.tokens import AUDIENCE, ISSUER


def service_environment(
    infra: Infrastructure, service: str, *, jwks_url: str | None = None
) -> dict[str, Any]:
    """Settings values, by variable name, that every service under test is given.

    A fresh database migrated by `<service>.store.piccolo_conf`, the test Kafka, the service's name on
    traces and, given `jwks_url` (the plugin's fixture), verification of the test TokenIssuer's tokens.
    """
    values: dict[str, Any] = {
        "DATABASE_URL": migrated_database(infra, f"{service}.store.piccolo_conf"),
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
        "OTEL_SERVICE_NAME": service,
    }
    if jwks_url is not None:
        values |= {"JWT_JWKS_URL": jwks_url, "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE}
    return values

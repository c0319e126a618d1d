"""Test support: real infrastructure for integration and end-to-end tests (a pytest plugin)."""

from tickethub.testing.apps import client_of, running
from tickethub.testing.environment import service_environment
from tickethub.testing.infra import Infrastructure, migrated_database
from tickethub.testing.kafka import KafkaProbe, outbox_drained
from tickethub.testing.metrics import label_values, sample_total
from tickethub.testing.openapi import assert_openapi_complete, openapi_gaps
from tickethub.testing.tokens import AUDIENCE, ISSUER, JWKS_PATH, TokenIssuer, serving_jwks
from tickethub.testing.waiting import DEADLINE_SECONDS, eventually

__all__ = [
    "AUDIENCE",
    "DEADLINE_SECONDS",
    "ISSUER",
    "JWKS_PATH",
    "Infrastructure",
    "KafkaProbe",
    "TokenIssuer",
    "assert_openapi_complete",
    "client_of",
    "eventually",
    "label_values",
    "migrated_database",
    "openapi_gaps",
    "outbox_drained",
    "running",
    "sample_total",
    "service_environment",
    "serving_jwks",
]

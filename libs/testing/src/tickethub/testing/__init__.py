"""Test support: real infrastructure for integration and end-to-end tests (a pytest plugin)."""

from tickethub.testing.apps import client_of, running
from tickethub.testing.infra import Infrastructure, migrated_database

__all__ = ["Infrastructure", "client_of", "migrated_database", "running"]

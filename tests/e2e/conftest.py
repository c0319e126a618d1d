"""The whole system, started exactly as `make up` starts it (temporary data, free ports)."""

from collections.abc import Iterator

import pytest
from system_fixtures import (  # the fixtures over the running system, shared with tests/kubernetes
    admin,
    api,
    booking_db,
    payment_db,
    pytest_runtest_makereport,
    redis,
    running_system,
    user,
)

from tickethub.stack.local import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The Show API and its operator have their own suite (tests/kubernetes).
    environment = {"BOOKING_SWEEP_INTERVAL_SECONDS": "1"}
    with running_system(
        tmp_path_factory.mktemp("stack"), kubernetes=False, environment=environment
    ) as system:
        yield system


__all__ = ["admin", "api", "booking_db", "payment_db", "pytest_runtest_makereport", "redis", "stack", "user"]

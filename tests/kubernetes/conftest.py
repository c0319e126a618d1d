"""The whole system with its Kubernetes control plane and show operator, as `make up` starts it.

Booking's own sweeper is off here, so every expired hold in these tests was expired by the operator.
"""

from collections.abc import Iterator

import pytest
from system_fixtures import (  # the fixtures over the running system, shared with tests/e2e
    admin,
    api,
    booking_db,
    payment_db,
    pytest_runtest_makereport,
    redis,
    running_system,
    user,
)

from shows import SYNC_ATTEMPTS, Shows
from tickethub.stack.local import Stack

# How often the operator sweeps each Show and refreshes its status (10 s by default).
SWEEP_INTERVAL_SECONDS = 1


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    environment = {
        "BOOKING_SWEEP_INTERVAL_SECONDS": "0",
        "OPERATOR_SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL_SECONDS),
        "OPERATOR_SYNC_ATTEMPTS": str(SYNC_ATTEMPTS),
    }
    with running_system(tmp_path_factory.mktemp("stack"), kubernetes=True, environment=environment) as system:
        yield system


@pytest.fixture(scope="session")
def shows(stack: Stack) -> Shows:
    return Shows(stack.cluster)


@pytest.fixture(autouse=True)
def no_show_outlives_its_test(shows: Shows) -> Iterator[None]:
    """A test that fails half-way leaves its Show behind; every test starts from an empty namespace."""
    yield
    shows.delete_all()


__all__ = [
    "admin",
    "api",
    "booking_db",
    "payment_db",
    "pytest_runtest_makereport",
    "redis",
    "shows",
    "stack",
    "user",
]

"""The whole system with its Kubernetes control plane and show operator, as `make up` starts it.

Booking's own sweeper is off here, so every expired hold in these tests was expired by the operator.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from shows import Shows
from system_fixtures import (  # the fixtures over the running system, shared with tests/e2e
    admin,
    api,
    booking_db,
    payment_db,
    pytest_runtest_makereport,
    redis,
    user,
)

from tickethub.stack.local import Ports, Stack

# How often the operator sweeps each Show and refreshes its status (10 s by default).
SWEEP_INTERVAL_SECONDS = 1


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = Path(tmp_path_factory.mktemp("stack"))
    os.environ.setdefault("TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD", uuid.uuid4().hex)
    system = Stack(
        state_dir=root,
        ports=Ports.free(),
        persistent=False,
        extra_environment={
            "BOOKING_SWEEP_INTERVAL_SECONDS": "0",
            "OPERATOR_SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL_SECONDS),
            "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000",
        },
    )
    try:
        system.up()
        yield system
    finally:
        system.down()


@pytest.fixture(scope="session")
def shows(stack: Stack) -> Shows:
    return Shows(stack.cluster)


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

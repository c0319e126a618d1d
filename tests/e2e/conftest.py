"""The whole system, started exactly as `make up` starts it (temporary data, free ports)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from system_fixtures import (  # the fixtures over the running system, shared with tests/kubernetes
    admin,
    api,
    booking_db,
    payment_db,
    pytest_runtest_makereport,
    redis,
    user,
)

from tickethub.stack.local import Ports, Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = Path(tmp_path_factory.mktemp("stack"))
    os.environ.setdefault("TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD", uuid.uuid4().hex)
    system = Stack(
        state_dir=root,
        ports=Ports.free(),
        persistent=False,
        kubernetes=False,  # the Show API has its own suite (tests/kubernetes)
        demo_catalog=False,
        extra_environment={
            "BOOKING_SWEEP_INTERVAL_SECONDS": "1",
            # Every test client logs in from the loopback address: its own per-address limit would
            # throttle the suite. The per-account limit stays as configured.
            "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000",
        },
    )
    try:
        system.up()
        yield system
    finally:
        system.down()


__all__ = ["admin", "api", "booking_db", "payment_db", "pytest_runtest_makereport", "redis", "stack", "user"]

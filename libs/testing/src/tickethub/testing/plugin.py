"""pytest plugin: the `infra` fixture (real servers) for integration and end-to-end tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tickethub.testing.infra import Infrastructure, RunningInfrastructure, shared_infrastructure


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    shared = shared_infrastructure()
    if shared is not None:
        yield shared
        return
    running = RunningInfrastructure(Path(tmp_path_factory.mktemp("infra")))
    try:
        yield running.start()
    finally:
        running.stop()

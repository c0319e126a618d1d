"""The Helm chart, checked offline (lint, schemas, policies) and in a real control plane with fake nodes."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.install import ensure_service_monitor_crd
from tickethub.stack.kube_schemas import crd_schema_dir
from tickethub.stack.ports import free_port
from tickethub.stack.routes import repo_root


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """kube-apiserver with the workload controllers, kube-scheduler and kwok's fake nodes."""
    with ControlPlane(tmp_path_factory.mktemp("cluster"), free_port(), workloads=True) as running:
        yield running


@pytest.fixture(scope="session")
def crd_schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schemas of the chart's own CRDs and of the Prometheus Operator's ServiceMonitor."""
    own = sorted((repo_root() / "charts" / "tickethub" / "crds").glob("*.yaml"))
    return crd_schema_dir([*own, ensure_service_monitor_crd()], tmp_path_factory.mktemp("crd-schemas"))

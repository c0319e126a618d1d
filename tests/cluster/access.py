"""Reaching into the one-node cluster from tests: kubectl as JSON, port-forwards, its databases."""

import contextlib
import json
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg

from tickethub.stack import install
from tickethub.stack.node.cluster import NAMESPACE, RELEASE, LocalCluster

_FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) ->")


def get(cluster: LocalCluster, *args: str) -> Any:
    """`kubectl get ... --output=json` in TicketHub's namespace, parsed."""
    return json.loads(
        cluster.control_plane.kubectl("get", *args, f"--namespace={NAMESPACE}", "--output=json")
    )


def component(name: str) -> str:
    """The name the chart gives a component's workload and Service."""
    return f"{RELEASE}-{name}"


@contextlib.contextmanager
def port_forward(cluster: LocalCluster, target: str, port: int) -> Iterator[str]:
    """`kubectl port-forward <target> :<port>` for the block; yields 127.0.0.1:<local port>."""
    process = subprocess.Popen(
        [
            str(install.ensure_kubernetes().kubectl),
            f"--kubeconfig={cluster.control_plane.kubeconfig}",
            "port-forward",
            f"--namespace={NAMESPACE}",
            "--address=127.0.0.1",
            target,
            f":{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # kubectl prints the line once it listens
        match = _FORWARDING.search(first)
        assert match, (
            f"kubectl port-forward {target}: {first}{process.stdout.read() if process.poll() else ''}"
        )
        yield f"127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.asynccontextmanager
async def database(cluster: LocalCluster, name: str, password: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to one service's database in the cluster's PostgreSQL, as the chart's user."""
    with port_forward(cluster, f"service/{component('postgresql')}", 5432) as address:
        connection = await asyncpg.connect(f"postgresql://tickethub:{password}@{address}/{name}")
        try:
            yield connection
        finally:
            await connection.close()

"""A TicketHub service as a local process: uvicorn serving its app factory, with its environment."""

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tickethub.stack import probes
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.processes import Server


def service_url(port: int) -> str:
    """The base URL of the service process listening on `port`, as the other processes reach it."""
    return f"http://{LOOPBACK}:{port}"


class WorkspaceProcess(Server):
    """A process of our own code, run from the workspace's environment with the given variables."""

    def __init__(self, data_dir: Path, environment: Mapping[str, str]) -> None:
        super().__init__(data_dir)
        self.environment = dict(environment)

    def _prepare(self) -> None:
        """Nothing to install: the workspace is installed already."""

    def _environment(self) -> Mapping[str, str]:
        return self.environment


class ServiceProcess(WorkspaceProcess):
    def __init__(self, data_dir: Path, service: str, port: int, environment: Mapping[str, str]) -> None:
        super().__init__(data_dir, environment)
        self.service = service
        self.port = port

    @property
    def name(self) -> str:  # type: ignore[override]  # one class serves every service
        return self.service

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return service_url(self.port)

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            f"{self.service}.app:create_app",
            "--factory",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "10",
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(self.url + "/readyz")

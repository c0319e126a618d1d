"""A loopback port of this machine that leads into the node (its Ingress), relayed by socat."""

from collections.abc import Sequence
from pathlib import Path

from tickethub.stack.ports import LOOPBACK, port_in_use
from tickethub.stack.processes import Server


class LoopbackForward(Server):
    """127.0.0.1:`port` -> `target` (host:port inside the node), one connection each."""

    def __init__(self, data_dir: Path, name: str, port: int, target: str) -> None:
        super().__init__(data_dir)
        self._name = name
        self.port = port
        self.target = target

    @property
    def name(self) -> str:  # type: ignore[override]  # one class serves each forward
        return self._name

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _prepare(self) -> None:
        """socat comes with the node's packages."""

    def _command(self) -> list[str]:
        return ["socat", f"TCP-LISTEN:{self.port},bind={LOOPBACK},reuseaddr,fork", f"TCP:{self.target}"]

    def _is_ready(self) -> bool:
        return port_in_use(self.port)

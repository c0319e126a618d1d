"""PostgreSQL, Redis, Kafka, the mail catcher and Zipkin: the servers `make up` and the tests both run.

One place installs, starts and stops them, so the stack and the test runs start them the same way;
they differ only in their ports and in how much the data is worth (see `persistent`). It also names
them to a service in the chart's variables (DATABASE_URL, REDIS_URL, ...).
"""

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Self

from tickethub.stack import install
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.processes import Kafka, MailCatcher, Postgres, Redis, Server, Zipkin, start_all


@dataclass(frozen=True)
class InfrastructurePorts:
    postgres: int
    redis: int
    kafka: int
    smtp: int
    mail_ui: int
    zipkin: int

    @classmethod
    def free(cls) -> Self:
        return cls(**{f.name: free_port() for f in fields(cls)})


class InfrastructureServers:
    """The servers, each in its own directory under `root`.

    `persistent=False` is for throwaway data: PostgreSQL without fsync, Redis without its append-only
    file. `max_connections` is PostgreSQL's.
    """

    def __init__(
        self, root: Path, ports: InfrastructurePorts, *, persistent: bool, max_connections: int = 200
    ) -> None:
        self.postgres = Postgres(
            root / "postgres", ports.postgres, fsync=persistent, max_connections=max_connections
        )
        self.redis = Redis(root / "redis", ports.redis, persistent=persistent)
        self.kafka = Kafka(root / "kafka", ports.kafka)
        self.mail = MailCatcher(root / "mail", ports.smtp, ports.mail_ui)
        self.zipkin = Zipkin(root / "zipkin", ports.zipkin)
        self.servers: list[Server] = [self.postgres, self.redis, self.kafka, self.mail, self.zipkin]

    @staticmethod
    def install() -> None:
        """Install what is missing (each server's binaries, into the cache)."""
        install.ensure_debian_packages()
        install.ensure_kafka()
        install.ensure_mailcatcher()
        install.ensure_zipkin()

    def start(self) -> None:
        """Start every server and wait until all of them are ready."""
        start_all(self.servers, timeout=120)

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    def backend_environment(self, backend: str, *, database: str) -> dict[str, str]:
        """The variables that point a service at `backend` (a `uses` entry of the chart) here, named as
        the chart names them; `database` is the service's own PostgreSQL database."""
        match backend:
            case "postgresql":
                return {"DATABASE_URL": self.postgres.dsn(database)}
            case "redis":
                return {"REDIS_URL": self.redis.url}
            case "kafka":
                return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers}
            case "smtp":
                return {"SMTP_HOST": LOOPBACK, "SMTP_PORT": str(self.mail.smtp_port)}
        raise ValueError(f"no local server for the backend {backend!r}")

"""Real PostgreSQL, Redis, Kafka, SMTP and Zipkin for tests, in a temporary directory on free ports.

`make test` starts one set for the whole run and hands it to every pytest process through
TICKETHUB_TEST_INFRA (a JSON file); a pytest run on its own starts (and stops) a private set.
"""

import json
import os
import subprocess
import sys
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from tickethub.stack.infrastructure import InfrastructurePorts, InfrastructureServers
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.processes import Postgres

ENV_VAR = "TICKETHUB_TEST_INFRA"


@dataclass(frozen=True)
class Infrastructure:
    postgres_port: int
    redis_port: int
    kafka_port: int
    smtp_port: int
    mail_http_port: int
    zipkin_port: int

    @property
    def redis_url(self) -> str:
        return f"redis://{LOOPBACK}:{self.redis_port}/0"

    @property
    def kafka_bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.kafka_port}"

    @property
    def smtp_host(self) -> str:
        return LOOPBACK

    @property
    def mail_api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.mail_http_port}"

    @property
    def zipkin_url(self) -> str:
        return f"http://{LOOPBACK}:{self.zipkin_port}"

    def postgres_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{LOOPBACK}:{self.postgres_port}/{database}"

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> "Infrastructure":
        return cls(**json.loads(path.read_text()))


class RunningInfrastructure:
    """Starts the servers and stops them again; `infrastructure` describes where they listen."""

    def __init__(self, root: Path) -> None:
        ports = InfrastructurePorts.free()
        # Throwaway data; and every suite's pytest process opens pools of its own on the one PostgreSQL.
        self.servers = InfrastructureServers(root, ports, persistent=False, max_connections=400)
        self.infrastructure = Infrastructure(
            postgres_port=ports.postgres,
            redis_port=ports.redis,
            kafka_port=ports.kafka,
            smtp_port=ports.smtp,
            mail_http_port=ports.mail_ui,
            zipkin_port=ports.zipkin,
        )

    def start(self) -> Infrastructure:
        self.servers.install()
        try:
            self.servers.start()
        except BaseException:
            self.servers.stop()
            raise
        return self.infrastructure

    def stop(self) -> None:
        self.servers.stop()


def shared_infrastructure() -> Infrastructure | None:
    path = os.environ.get(ENV_VAR)
    return Infrastructure.load(Path(path)) if path else None


_templates: dict[str, str] = {}
_templates_lock = threading.Lock()


def migrated_database(infra: Infrastructure, piccolo_conf: str) -> str:
    """A fresh database with every migration of `piccolo_conf` applied; returns its DSN.

    The real migrations run once per run into a template; each call clones it (milliseconds).
    """
    postgres = Postgres(Path("."), infra.postgres_port)  # a handle on the running server
    with _templates_lock:
        template = _templates.get(piccolo_conf)
        if template is None:
            template = "tpl_" + piccolo_conf.split(".", maxsplit=1)[0] + "_" + uuid.uuid4().hex[:8]
            postgres.create_database(template)
            subprocess.run(
                [sys.executable, "-m", "tickethub.db.migrate", piccolo_conf],
                env={**os.environ, "DATABASE_URL": infra.postgres_url(template)},
                check=True,
                capture_output=True,
                timeout=120,
            )
            _templates[piccolo_conf] = template
    name = piccolo_conf.split(".", maxsplit=1)[0] + "_" + uuid.uuid4().hex[:12]
    postgres.create_database(name, template=template)
    return infra.postgres_url(name)

"""Real PostgreSQL, Redis, Kafka, SMTP and Jaeger for tests, in a temporary directory on free ports.

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

from tickethub.stack import install
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.processes import Jaeger, Kafka, MailCatcher, Postgres, Redis, Server

ENV_VAR = "TICKETHUB_TEST_INFRA"


@dataclass(frozen=True)
class Infrastructure:
    postgres_port: int
    redis_port: int
    kafka_port: int
    smtp_port: int
    mail_http_port: int
    otlp_http_port: int
    jaeger_port: int

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
    def otlp_endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.otlp_http_port}"

    @property
    def jaeger_url(self) -> str:
        return f"http://{LOOPBACK}:{self.jaeger_port}"

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
        self.postgres = Postgres(root / "postgres", free_port(), fsync=False, max_connections=400)
        self.redis = Redis(root / "redis", free_port())
        self.kafka = Kafka(root / "kafka", free_port())
        self.mail = MailCatcher(root / "mail", free_port(), free_port())
        self.jaeger = Jaeger(root / "jaeger", free_port(), free_port())
        self.servers: list[Server] = [self.postgres, self.redis, self.kafka, self.mail, self.jaeger]
        self.infrastructure = Infrastructure(
            postgres_port=self.postgres.port,
            redis_port=self.redis.port,
            kafka_port=self.kafka.port,
            smtp_port=self.mail.smtp_port,
            mail_http_port=self.mail.http_port,
            otlp_http_port=self.jaeger.otlp_http_port,
            jaeger_port=self.jaeger.ui_port,
        )

    def start(self) -> Infrastructure:
        install.ensure_debian_packages()
        install.ensure_kafka()
        install.ensure_mailcatcher()
        install.ensure_jaeger()
        try:
            for server in self.servers:
                server.start()
            for server in self.servers:
                server.wait_ready(timeout=120)
        except BaseException:
            self.stop()
            raise
        return self.infrastructure

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()


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

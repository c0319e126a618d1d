"""The infrastructure servers as detached local processes on loopback, one class per server.

Each server lives in its own data directory with `<name>.log` and `<name>.pid`. A started server is
detached (setsid), so it survives the Python process that started it (`make up` exits, the stack
keeps running) and a later process finds it again through the pid file. The pid file also records
the process start time, so a recycled pid is never mistaken for the server.

    with Redis(tmp / "redis", free_port()) as redis:   # start() + wait_ready(), stop() on exit
        ...
"""

import base64
import logging
import os
import pwd
import signal
import stat
import subprocess
import time
import urllib.parse
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from tickethub.stack import install, probes
from tickethub.stack.ports import LOOPBACK, free_port, port_in_use

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.1
_KILL_GRACE_SECONDS = 10.0


class ServerError(RuntimeError):
    """A server failed to start, to become ready, or to stop."""


@dataclass(frozen=True)
class Placement:
    """Where a server runs: on this machine's loopback, or inside the namespaces of a local node.

    `address` is where it listens and where this machine reaches it; `launcher` is the argv that
    runs a command inside the node's namespaces (empty: run it here).
    """

    address: str = LOOPBACK
    launcher: tuple[str, ...] = ()


ON_HOST = Placement()


class Server(ABC):
    """A server process with a data directory, a log file and a pid file."""

    name: ClassVar[str]
    # The signal that asks for a clean shutdown; SIGKILL follows if it is not honoured in time.
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM

    def __init__(self, data_dir: Path, placement: Placement = ON_HOST) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.placement = placement
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.name}.pid"

    @property
    @abstractmethod
    def ports(self) -> Sequence[int]:
        """Every port the server listens on (at its placement's address)."""

    @abstractmethod
    def _command(self) -> list[str]:
        """The argv of the server process."""

    @abstractmethod
    def _is_ready(self) -> bool:
        """One readiness check; must be quick and must not raise."""

    @abstractmethod
    def _prepare(self) -> None:
        """Install what is missing and write configuration (runs before every start)."""

    def _run_as(self) -> pwd.struct_passwd | None:
        """The OS user to run as, when it must differ from the current one."""
        return None

    def _environment(self) -> Mapping[str, str] | None:
        """The process environment; None inherits this process's."""
        return None

    def start(self) -> None:
        """Launch the server in the background; a no-op when it already runs. Does not wait for it."""
        if self.is_running():
            log.info("%s already running (pid file %s)", self.name, self.pid_file)
            return
        address = self.placement.address
        taken = [port for port in self.ports if port_in_use(port, address)]
        if taken:
            raise ServerError(f"{self.name}: port(s) {taken} already in use on {address}")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._prepare()
        user = self._run_as()
        with self.log_file.open("ab") as log_fd:
            self._proc = subprocess.Popen(
                [*self.placement.launcher, *self._command()],
                cwd=self.data_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # setsid: no terminal signals, outlives the parent
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
            )
        self.pid_file.write_text(f"{self._proc.pid} {_start_time(self._proc.pid)}\n")

    def pid(self) -> int | None:
        """The pid of the running server, or None."""
        if self._proc is not None and self._proc.poll() is not None:
            return None  # our own child exited (poll() also reaped it)
        try:
            pid_text, started = self.pid_file.read_text().split()
        except (FileNotFoundError, ValueError):
            return None
        pid = int(pid_text)
        current = _start_time(pid)
        return pid if current is not None and current == started else None

    def is_running(self) -> bool:
        return self.pid() is not None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll the readiness probe until it passes; fail early if the process dies."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_running():
                raise ServerError(f"{self.name} exited during start-up:\n{self._log_tail()}")
            if self._is_ready():
                return
            if time.monotonic() >= deadline:
                raise ServerError(f"{self.name} not ready after {timeout:.0f} s:\n{self._log_tail()}")
            time.sleep(_POLL_SECONDS)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the server to shut down cleanly, kill its whole process group if it takes too long."""
        pid = self.pid()
        if pid is not None:
            with suppress(ProcessLookupError):  # it may have exited on its own meanwhile
                os.kill(pid, self.stop_signal)
            if not self._wait_gone(pid, timeout):
                log.warning("%s did not stop within %.0f s, killing it", self.name, timeout)
                with suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)  # the server leads its own group: children go too
                if not self._wait_gone(pid, _KILL_GRACE_SECONDS):
                    raise ServerError(f"{self.name} (pid {pid}) survived SIGKILL")
        if self._proc is not None:
            # pid() already counts a zombie as gone; our own child must still be reaped.
            self._proc.wait(_KILL_GRACE_SECONDS)
            self._proc = None
        self.pid_file.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pid() == pid:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return True

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log file)"


def start_all(servers: Sequence[Server], *, timeout: float) -> None:
    """Start every server, then wait for all of them together: start-up takes the slowest one's time."""
    for server in servers:
        server.start()
    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        for future in [pool.submit(server.wait_ready, timeout) for server in servers]:
            future.result()


class Postgres(Server):
    """PostgreSQL on 127.0.0.1 with trust authentication, TCP only (no Unix socket)."""

    name = "postgres"
    # SIGINT is the "fast" shutdown; SIGTERM ("smart") would wait for every client to disconnect.
    stop_signal = signal.SIGINT
    superuser = "postgres"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        fsync: bool = True,
        max_connections: int = 200,
        settings: Mapping[str, str] | None = None,
        bin_dir: Path | None = None,
    ) -> None:
        """`fsync=False` trades crash safety for speed: for throwaway test data only."""
        super().__init__(data_dir)
        self.port = port
        self.fsync = fsync
        self.settings = {"max_connections": str(max_connections), **(settings or {})}
        self._bin_dir = bin_dir

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@{LOOPBACK}:{self.port}/{database}"

    def create_database(self, name: str, template: str = "template1") -> None:
        """Create database `name` (a copy of `template`) unless it exists."""
        script = (
            "SELECT format('CREATE DATABASE %I TEMPLATE %I', :'dbname', :'template')"
            " WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname')\\gexec\n"
        )
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"dbname={name}",
                "-v",
                f"template={template}",
                self.dsn(),
            ],
            input=script,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if result.returncode != 0:
            raise ServerError(f"creating database {name!r} failed: {result.stderr.strip()}")

    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            self._bin_dir = install.ensure_debian_packages().postgres_bin_dir
        return self._bin_dir

    def _run_as(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(self.superuser)  # PostgreSQL refuses to run as root
        except KeyError as exc:
            raise ServerError(
                "running as root needs a `postgres` OS user (Debian's package makes it)"
            ) from exc

    def _prepare(self) -> None:
        if (self.pgdata / "PG_VERSION").exists():
            return
        user = self._run_as()
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            os.chown(self.pgdata, user.pw_uid, user.pw_gid)
            _grant_traverse(self.data_dir, user)
        with self.log_file.open("ab") as log_fd:
            result = subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    self.superuser,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                    *([] if self.fsync else ["--no-sync"]),
                ],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
                check=False,
                timeout=300,
            )
        if result.returncode != 0:
            raise ServerError(f"initdb failed:\n{self._log_tail()}")

    def _command(self) -> list[str]:
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(self.port),
            "unix_socket_directories": "",  # TCP only: no dependency on /var/run/postgresql
            **({} if self.fsync else _NO_FSYNC),
            **self.settings,
        }
        args = [str(self.bin_dir / "postgres"), "-D", str(self.pgdata)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return args

    def _is_ready(self) -> bool:
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port), "-t", "1"],
            check=False,
        )
        return result.returncode == 0


class Redis(Server):
    """Redis on 127.0.0.1; `persistent=True` keeps an append-only file (for `make up`)."""

    name = "redis"

    def __init__(
        self, data_dir: Path, port: int, *, persistent: bool = False, binary: Path | None = None
    ) -> None:
        super().__init__(data_dir)
        self.port = port
        self.persistent = persistent
        self._binary = binary

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def _prepare(self) -> None:
        if self._binary is None:
            self._binary = install.ensure_debian_packages().redis_server

    def _command(self) -> list[str]:
        return [
            str(self._binary),
            "--port",
            str(self.port),
            "--bind",
            LOOPBACK,
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--logfile",
            "",
            "--save",
            "",
            "--appendonly",
            "yes" if self.persistent else "no",
        ]

    def _is_ready(self) -> bool:
        return probes.redis_ping(self.port)


class Kafka(Server):
    """A single-node Kafka in KRaft mode: one process is both broker and controller.

    Topics must be created explicitly (`auto.create.topics.enable=false`), like in production.
    """

    name = "kafka"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        controller_port: int | None = None,
        num_partitions: int = 3,
        heap: str = "512m",
        settings: Mapping[str, str] | None = None,
        kafka: install.KafkaInstall | None = None,
    ) -> None:
        """`controller_port=None` picks a free port now (only the broker itself talks to it)."""
        super().__init__(data_dir)
        self.port = port
        self.controller_port = controller_port or free_port()
        self.num_partitions = num_partitions
        self.heap = heap
        self.settings = dict(settings or {})
        self._kafka = kafka

    @property
    def ports(self) -> Sequence[int]:
        return [self.port, self.controller_port]

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def _properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def _log4j_file(self) -> Path:
        return self.data_dir / "log4j.properties"

    def _prepare(self) -> None:
        self._kafka = self._kafka or install.ensure_kafka()
        self._properties_file.write_text(
            "# Generated by tickethub.stack at every start.\n"
            + "".join(f"{key}={value}\n" for key, value in self._properties().items())
        )
        self._log4j_file.write_text(_KAFKA_LOG4J)
        if not (self.data_dir / "kraft" / "meta.properties").exists():
            self._format_storage(self._kafka)

    def _properties(self) -> dict[str, str]:
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{LOOPBACK}:{self.controller_port}",
            "listeners": f"PLAINTEXT://{LOOPBACK}:{self.port},CONTROLLER://{LOOPBACK}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir / "kraft"),
            "auto.create.topics.enable": "false",
            "num.partitions": str(self.num_partitions),
            # One broker: internal topics cannot have more than one replica.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            # Fewer internal partitions than the default 50: the first consumer group joins in well under
            # a second instead of waiting for 50 partitions to be created on a 2-core machine.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.num.partitions": "10",
            # The default 3 s delay only helps large groups; tests and `make up` want consumers at once.
            "group.initial.rebalance.delay.ms": "0",
            **self.settings,
        }

    def _format_storage(self, kafka: install.KafkaInstall) -> None:
        with self.log_file.open("ab") as log_fd:
            result = subprocess.run(
                [
                    str(kafka.java),
                    *self._jvm_options(),
                    "-cp",
                    kafka.classpath,
                    "kafka.tools.StorageTool",
                    "format",
                    "--cluster-id",
                    _kafka_cluster_id(),
                    "--config",
                    str(self._properties_file),
                    "--ignore-formatted",
                ],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_fd,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=180,
            )
        if result.returncode != 0:
            raise ServerError(f"kafka storage format failed:\n{self._log_tail()}")

    def _jvm_options(self) -> list[str]:
        # The flags of Kafka's own kafka-run-class.sh, with a heap small enough for a 2-core dev box.
        return [
            "-Xms128m",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:MaxInlineLevel=15",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self._log4j_file}",
            f"-Dkafka.logs.dir={self.data_dir}",
        ]

    def _command(self) -> list[str]:
        kafka = self._kafka or install.ensure_kafka()
        return [
            str(kafka.java),
            *self._jvm_options(),
            "-cp",
            kafka.classpath,
            "kafka.Kafka",
            str(self._properties_file),
        ]

    def _is_ready(self) -> bool:
        return probes.kafka_api_versions(self.port)


class MailCatcher(Server):
    """Mailpit: an SMTP server that keeps every message, with a web UI and a JSON API.

    API: GET /api/v1/messages (newest first), GET /api/v1/message/{ID}, DELETE /api/v1/messages.
    Any SMTP username/password is accepted, so services configured with credentials work unchanged.
    """

    name = "mailpit"

    def __init__(
        self,
        data_dir: Path,
        smtp_port: int,
        http_port: int,
        *,
        max_messages: int = 0,
        binary: Path | None = None,
    ) -> None:
        """`max_messages=0` keeps every message (Mailpit's default prunes beyond 500)."""
        super().__init__(data_dir)
        self.smtp_port = smtp_port
        self.http_port = http_port
        self.max_messages = max_messages
        self._binary = binary

    @property
    def ports(self) -> Sequence[int]:
        return [self.smtp_port, self.http_port]

    @property
    def http_url(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    def _prepare(self) -> None:
        self._binary = self._binary or install.ensure_mailcatcher()

    def _command(self) -> list[str]:
        return [
            str(self._binary),
            "--disable-version-check",
            "--database",
            str(self.data_dir / "mailpit.db"),
            "--listen",
            f"{LOOPBACK}:{self.http_port}",
            "--smtp",
            f"{LOOPBACK}:{self.smtp_port}",
            "--max",
            str(self.max_messages),
            "--smtp-auth-accept-any",
            "--smtp-auth-allow-insecure",
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"{self.http_url}/readyz") and probes.smtp_greets(self.smtp_port)


class Zipkin(Server):
    """Zipkin with its Lens UI: a trace store and a UI a person can use (waterfall, search by tag).

    It receives Zipkin JSON spans (POST /api/v2/spans); the services send them there with the
    OpenTelemetry Zipkin exporter. Storage is in memory, bounded by `max_spans`: a restart forgets
    every trace. Query API: GET /api/v2/services, /api/v2/traces?annotationQuery=..., /api/v2/trace/{id}.
    """

    name = "zipkin"

    def __init__(self, data_dir: Path, port: int, *, max_spans: int = 200_000) -> None:
        super().__init__(data_dir)
        self.port = port
        self.max_spans = max_spans

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def spans_endpoint(self) -> str:
        """Where the Zipkin exporter sends spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT)."""
        return f"{self.url}/api/v2/spans"

    @property
    def ui_url(self) -> str:
        return f"{self.url}/zipkin/"

    def search_url(self, tag: str, value: str) -> str:
        """The UI's search for the traces whose spans carry `tag`=`value` (a person presses Run query)."""
        query = urllib.parse.urlencode(
            {"annotationQuery": f"{tag}={value}"}, safe="<>", quote_via=urllib.parse.quote
        )
        return f"{self.ui_url}?{query}"

    def _prepare(self) -> None:
        install.ensure_zipkin()

    def _environment(self) -> Mapping[str, str]:
        return {**os.environ, "STORAGE_TYPE": "mem", "MEM_MAX_SPANS": str(self.max_spans)}

    def _command(self) -> list[str]:
        zipkin = install.ensure_zipkin()
        return [
            str(zipkin.java),
            # A bounded heap (200,000 spans fit) and the serial collector: one user, two cores.
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-jar",
            str(zipkin.jar),
            # Loopback only: Zipkin has no setting for its address but its HTTP server's port list.
            f"--armeria.ports[0].ip={LOOPBACK}",
            f"--armeria.ports[0].port={self.port}",
            "--armeria.ports[0].protocols[0]=http",
        ]

    def _is_ready(self) -> bool:
        return probes.http_ok(f"{self.url}/health")


# Crash safety off: only for throwaway test data.
_NO_FSYNC = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}

_KAFKA_LOG4J = """\
# Generated by tickethub.stack: everything to stdout, which the stack writes to kafka.log.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.request.logger=WARN
"""


def _kafka_cluster_id() -> str:
    """A cluster id as `kafka-storage random-uuid` makes it, without starting a JVM for it."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):  # Kafka avoids these: they look like command-line flags
            return cluster_id


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a live (non-zombie) process, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    state, start_time = fields[0], fields[19]  # /proc/<pid>/stat fields 3 and 22
    return None if state in {"Z", "X"} else start_time


def _grant_traverse(path: Path, user: pwd.struct_passwd) -> None:
    """Let `user` reach `path`: add o+x to ancestors it cannot traverse (e.g. pytest's 0700 /tmp dirs)."""
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for directory in [*reversed(path.parents), path]:
        st = directory.stat()
        if st.st_uid == user.pw_uid:
            allowed = bool(st.st_mode & stat.S_IXUSR)
        elif st.st_gid in groups:
            allowed = bool(st.st_mode & stat.S_IXGRP)
        else:
            allowed = bool(st.st_mode & stat.S_IXOTH)
        if not allowed:
            log.warning("granting o+x on %s so that %s can reach its data directory", directory, user.pw_name)
            directory.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)

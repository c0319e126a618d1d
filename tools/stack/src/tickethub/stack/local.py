"""The whole system on one machine: infrastructure, migrations, services and the entrypoint.

Which services run, and what each one uses and calls, comes from the chart's values (topology.py);
this module says only where each of those things is on this machine.

`make up` runs it with persistent data under the state directory and fixed (configurable) ports;
the end-to-end tests run it in a temporary directory on free ports.
"""

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from tickethub.stack import install
from tickethub.stack.certificates import Certificate, serving_certificate
from tickethub.stack.control_plane import ControlPlane
from tickethub.stack.entrypoint import Entrypoint, Link, render_index_page, render_nginx_config
from tickethub.stack.infrastructure import InfrastructurePorts, InfrastructureServers
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.processes import Server, start_all
from tickethub.stack.routes import load_routes, repo_root
from tickethub.stack.services import ServiceProcess, service_url
from tickethub.stack.show_api import NAMESPACE, OPERATOR_ACCOUNT, WEBHOOK_PATH, ShowOperator, install_show_api
from tickethub.stack.topology import calls_environment, chart_services

DEFAULT_ADMIN_EMAIL = "admin@tickethub.local"
# The machine client the Kubernetes operator logs in as (OAuth 2 client credentials).
OPERATOR_CLIENT_ID = "show-operator"
# The span attribute booking sets on the request that placed a booking: how a person finds its saga.
BOOKING_ID_TAG = "tickethub.booking.id"
# Variables of the chart's `env` that describe a cluster, not this machine, and are left out here.
# FORWARDED_ALLOW_IPS: the chart trusts X-Forwarded-For from pod networks (where the Ingress controller
# runs); here the one proxy is the entrypoint on loopback, which users' default already trusts.
CLUSTER_ONLY_ENV = frozenset({"FORWARDED_ALLOW_IPS"})


@dataclass(frozen=True)
class Ports(InfrastructurePorts):
    """Every port of the stack; `make up` takes each from TICKETHUB_PORT_<NAME> or the default.

    One field per service of the chart (its name), checked when a Stack is made.
    """

    # Below Linux's ephemeral range (32768-60999), so an outgoing connection never holds one.
    postgres: int = 15432
    redis: int = 16379
    kafka: int = 19092
    smtp: int = 11025
    mail_ui: int = 18025
    zipkin: int = 19411
    entrypoint: int = 8080
    users: int = 18101
    catalog: int = 18102
    booking: int = 18103
    payment: int = 18104
    notification: int = 18105
    kube_apiserver: int = 16443
    etcd: int = 12379
    etcd_peer: int = 12380
    operator_health: int = 18110
    operator_webhook: int = 18443

    @classmethod
    def from_environment(cls) -> "Ports":
        defaults = cls()
        return cls(
            **{
                f.name: int(os.environ.get(f"TICKETHUB_PORT_{f.name.upper()}", getattr(defaults, f.name)))
                for f in fields(cls)
            }
        )

    def of(self, service: str) -> int:
        port: int = getattr(self, service)
        return port


@dataclass
class Stack:
    state_dir: Path
    ports: Ports
    persistent: bool = True
    admin_email: str = field(
        default_factory=lambda: os.environ.get("TICKETHUB_BOOTSTRAP_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
    )
    extra_environment: Mapping[str, str] = field(default_factory=dict)
    # The Kubernetes control plane with the Show API and its operator (make up; the operator tests).
    kubernetes: bool = True
    # A small catalog under fixed ids (catalog.demo), the one k8s/examples/show.yaml books.
    demo_catalog: bool = True

    def __post_init__(self) -> None:
        d = self.state_dir
        self.topology = chart_services()
        if unplaced := [name for name in self.topology if name not in {f.name for f in fields(Ports)}]:
            raise ValueError(f"no port for the chart's service(s) {', '.join(unplaced)}: add them to Ports")
        self.infrastructure = InfrastructureServers(d, self.ports, persistent=self.persistent)
        # Each server by its name, as the tests and the printed URLs reach it.
        self.postgres = self.infrastructure.postgres
        self.redis = self.infrastructure.redis
        self.kafka = self.infrastructure.kafka
        self.mail = self.infrastructure.mail
        self.zipkin = self.infrastructure.zipkin
        self.services = {
            name: ServiceProcess(
                d / "services" / name, name, self.ports.of(name), self.service_environment(name)
            )
            for name in self.topology
        }
        self.entrypoint = Entrypoint(
            d / "entrypoint",
            self.ports.entrypoint,
            render_nginx_config(
                port=self.ports.entrypoint,
                routes=load_routes(),
                upstreams={name: self.ports.of(name) for name in self.topology},
                run_dir=d / "entrypoint",
            ),
            render_index_page(self._index_links()),
        )

        self.cluster = ControlPlane(
            d / "kubernetes",
            self.ports.kube_apiserver,
            etcd_port=self.ports.etcd,
            etcd_peer_port=self.ports.etcd_peer,
            persistent=self.persistent,
        )
        self.operators: list[ShowOperator] = []
        if self.kubernetes:
            operator = self.show_operator("show-operator", self.ports.operator_health, priority=100)
            self.operators.append(operator)

    # -- secrets: generated once per stack, kept in the state directory (never in the repo) -------

    @property
    def _secrets(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def signing_key_file(self) -> Path:
        return self._secrets / "signing-key.jwk"

    @property
    def oauth_clients_file(self) -> Path:
        """`{"show-operator": {"secret": ..., "role": "SERVICE"}}`, the users service's OAUTH_CLIENTS_FILE."""
        return self._secrets / "oauth-clients.json"

    @property
    def admin_password(self) -> str:
        if configured := os.environ.get("TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD"):
            return configured
        return self._secret("admin-password", lambda: secrets.token_urlsafe(18))

    def _secret(self, name: str, make: Callable[[], str]) -> str:
        path = self._secrets / name
        if not path.exists():
            self._secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()

    def _ensure_signing_key(self) -> None:
        if not self.signing_key_file.exists():
            key = subprocess.run(
                [sys.executable, "-m", "users.adapters.signing_keys"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            self._secret("signing-key.jwk", lambda: key)

    def _ensure_oauth_clients(self) -> None:
        operator = {"secret": secrets.token_urlsafe(32), "role": "SERVICE"}
        clients = json.loads(
            self._secret(self.oauth_clients_file.name, lambda: json.dumps({OPERATOR_CLIENT_ID: operator}))
        )
        # The operator reads only its own secret, as it would from a mounted Kubernetes Secret.
        self._secret("show-operator.secret", lambda: str(clients[OPERATOR_CLIENT_ID]["secret"]))

    @property
    def webhook_certificate(self) -> Certificate:
        return serving_certificate(self._secrets / "webhook", common_name=OPERATOR_ACCOUNT, ip=LOOPBACK)

    @property
    def operator_kubeconfig(self) -> Path:
        return self._secrets / "show-operator.kubeconfig"

    def _secret_value(self, key: str) -> str:
        """What the chart's Secret key `key` (of a `secretEnv` entry) holds on this machine."""
        match key:
            case "email":
                return self.admin_email
            case "password":
                return self.admin_password
        raise ValueError(f"the local stack holds no secret {key!r} (values.yaml secretEnv)")

    def _secret_file(self, key: str) -> Path:
        """The file that holds the chart's Secret key `key` (of a `secretFiles` entry) on this machine: the
        state directory keeps each such secret under its chart key."""
        files = {path.name: path for path in (self.signing_key_file, self.oauth_clients_file)}
        if key not in files:
            raise ValueError(f"the local stack holds no secret file {key!r} (values.yaml secretFiles)")
        return files[key]

    # -- environment of each service ---------------------------------------------------------------

    def service_environment(self, service: str) -> dict[str, str]:
        """The service's chart entry (`uses`, `calls`, `env`, `secretEnv`, `secretFiles`) on this machine."""
        chart = self.topology[service]
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "OTEL_SERVICE_NAME": service,
            # Spans go to the local Zipkin (its UI works here); the chart sends OTLP to Jaeger.
            "OTEL_TRACES_EXPORTER": "zipkin",
            "OTEL_EXPORTER_ZIPKIN_ENDPOINT": self.zipkin.spans_endpoint,
        }
        for backend in sorted(chart.uses):
            env |= self.infrastructure.backend_environment(backend, database=service)
        env |= calls_environment(chart, lambda callee: service_url(self.ports.of(callee)))
        env |= {variable: value for variable, value in chart.env.items() if variable not in CLUSTER_ONLY_ENV}
        env |= self.extra_environment
        env |= {variable: self._secret_value(key) for variable, key in chart.secret_env.items()}
        env |= {variable: str(self._secret_file(key)) for variable, key in chart.secret_files.items()}
        return env

    def show_operator(self, name: str, health_port: int, *, priority: int) -> ShowOperator:
        """An operator replica; only the first serves the admission webhook (one URL is registered)."""
        serves_webhook = not self.operators
        webhook = self.webhook_certificate if serves_webhook else None
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "OTEL_SERVICE_NAME": "show-operator",
            "KUBECONFIG": str(self.operator_kubeconfig),
            "OPERATOR_NAMESPACE": NAMESPACE,
            "OPERATOR_PRIORITY": str(priority),
            "OPERATOR_HEALTH_PORT": str(health_port),
            "OPERATOR_LISTEN_ADDRESS": LOOPBACK,
            "CATALOG_URL": self.services["catalog"].url,
            "BOOKING_URL": self.services["booking"].url,
            "OAUTH_TOKEN_URL": f"{self.services['users'].url}/auth/token",
            "OAUTH_CLIENT_ID": OPERATOR_CLIENT_ID,
            "OAUTH_CLIENT_SECRET_FILE": str(self._secrets / "show-operator.secret"),
            **self.extra_environment,
        }
        if webhook is not None:
            env |= {
                "OPERATOR_WEBHOOK_PORT": str(self.ports.operator_webhook),
                "OPERATOR_WEBHOOK_CERT_FILE": str(webhook.cert_file),
                "OPERATOR_WEBHOOK_KEY_FILE": str(webhook.key_file),
            }
        return ShowOperator(
            self.state_dir / name,
            health_port=health_port,
            webhook_port=self.ports.operator_webhook if webhook else None,
            environment=env,
        )

    # -- lifecycle -------------------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.entrypoint.is_running()

    def all_servers(self) -> Iterator[Server]:
        yield from self.infrastructure.servers
        if self.kubernetes:
            yield from self.cluster.servers
        yield from self.services.values()
        yield self.entrypoint
        yield from self.operators

    def up(self) -> None:
        started = time.monotonic()
        _step("installing what is missing")
        self.infrastructure.install()
        if self.kubernetes:
            install.ensure_kubernetes()
            _step("starting PostgreSQL, Redis, Kafka, the mail catcher, Zipkin and Kubernetes")
            self.cluster.start()
        else:
            _step("starting PostgreSQL, Redis, Kafka, the mail catcher and Zipkin")
        self.infrastructure.start()
        if self.kubernetes:
            self.cluster.wait_ready(timeout=90)
        _step("creating databases and applying migrations")
        with_database = [name for name, service in self.topology.items() if service.has_database]
        for service in with_database:
            self.postgres.create_database(service)
        self._ensure_signing_key()
        self._ensure_oauth_clients()
        _run_parallel(
            [
                [sys.executable, "-m", "tickethub.db.migrate", f"{service}.store.piccolo_conf"]
                for service in with_database
            ],
            [self.services[service].environment for service in with_database],
        )
        if self.demo_catalog:
            _run_parallel(
                [[sys.executable, "-m", "catalog.demo"]], [self.services["catalog"].environment], echo=True
            )
        _step("starting the services and the entrypoint")
        start_all(list(self.services.values()), timeout=90)
        start_all([self.entrypoint], timeout=30)
        if self.kubernetes:
            self._start_show_operator()
        _step(f"ready in {time.monotonic() - started:.0f} s")

    def _start_show_operator(self) -> None:
        _step("installing the Show API and starting the show operator")
        install_show_api(
            self.cluster,
            webhook_url=f"https://{LOOPBACK}:{self.ports.operator_webhook}{WEBHOOK_PATH}",
            certificate=self.webhook_certificate,
        )
        # The admin's kubectl works in the Shows' namespace: `kubectl get shows` right away.
        self.cluster.kubectl("config", "set-context", "--current", f"--namespace={NAMESPACE}")
        self.cluster.service_account_kubeconfig(NAMESPACE, OPERATOR_ACCOUNT, self.operator_kubeconfig)
        start_all(self.operators, timeout=60)

    def down(self) -> None:
        for server in reversed(list(self.all_servers())):
            server.stop()

    def _index_links(self) -> list[Link]:
        documented = sorted({route.service for route in load_routes()})
        return [
            *(
                Link(f"{name} API", f"/docs/{name}", "its Swagger UI: every operation, tried out")
                for name in documented
            ),
            Link(
                "Traces",
                self.zipkin.ui_url,
                f"Zipkin: search {BOOKING_ID_TAG}=<id> for one booking's saga",
            ),
            Link("Mail", self.mail.http_url, "every e-mail the system sent (Mailpit)"),
            Link(
                "Metrics",
                f"{self.services['booking'].url}/metrics",
                "booking's, in Prometheus' format; every service serves its own on its own port",
            ),
            Link("Health", "/users/status", "users' readiness, through this entrypoint"),
        ]

    def urls(self) -> dict[str, str]:
        base = self.entrypoint.url
        return {
            "entrypoint": base,
            "api docs": f"{base}/docs/booking (also /docs/users, /docs/catalog, /docs/payment)",
            "traces (Zipkin)": f"{self.zipkin.ui_url} (one booking's saga: "
            f"{self.zipkin.search_url(BOOKING_ID_TAG, '<booking id>')})",
            "metrics": f"{self.services['booking'].url}/metrics (every service on its own port: "
            + ", ".join(f"{name} {server.port}" for name, server in self.services.items())
            + ")",
            "mail catcher": self.mail.http_url,
            **(
                {
                    "kubeconfig": str(self.cluster.kubeconfig),
                    "kubectl": f"export KUBECONFIG={self.cluster.kubeconfig} "
                    f"PATH={install.kubernetes_bin_dir()}:$PATH   # then: kubectl get shows",
                }
                if self.kubernetes
                else {}
            ),
            "logs": str(self.state_dir),
        }


def _step(message: str) -> None:
    print(f"[up] {message}", flush=True)


def _run_parallel(
    commands: list[list[str]], environments: list[dict[str, str]], *, echo: bool = False
) -> None:
    processes = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for cmd, env in zip(commands, environments, strict=True)
    ]
    failures = []
    for cmd, process in zip(commands, processes, strict=True):
        output, _ = process.communicate(timeout=300)
        if process.returncode != 0:
            failures.append(f"{' '.join(cmd[2:])} failed:\n{output}")
        elif echo and output.strip():
            print(output.rstrip(), flush=True)
    if failures:
        raise RuntimeError("\n".join(failures))


def default_stack() -> Stack:
    from tickethub.stack.paths import state_dir

    repo_root()  # fail early outside a checkout
    return Stack(state_dir=state_dir(), ports=Ports.from_environment())

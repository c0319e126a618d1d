"""The development dependencies' images (k8s/cluster/images/) serve under the chart as it is.

Each image is built as `make images ARGS=--dependencies` builds it and checked for what it holds (user
10001, no compiler and no package cache, what it adds to the base). Then it runs as the chart rendered
with ci/cluster-values.yaml runs its pod (tickethub.testing.pods): the chart's command, arguments,
environment and Secrets, user 10001 with the pod's fsGroup, a read-only root filesystem, no
capabilities, its volumes (emptyDirs as tmpfs, ConfigMaps as read-only files), until the chart's own
probes pass; then a real client uses it. The containers share the host's network, so each test first
moves the chart's fixed ports to free ones: that edit is the only difference from the chart.
"""

import asyncio
import re
import smtplib
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from tickethub.stack import images, probes
from tickethub.stack.dependency_images import IMAGE_PREFIX, NAMES, DependencyImage
from tickethub.stack.helm import helm_template, objects
from tickethub.stack.images import Docker
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.routes import repo_root
from tickethub.testing.pods import ChartPod

pytestmark = pytest.mark.integration

CHART = repo_root() / "charts" / "tickethub"
VALUES = CHART / "ci" / "cluster-values.yaml"
RELEASE = "tickethub"
USER = "10001"
# What each image adds to the base image, measured: PostgreSQL 89 MB (the server, its client tools and
# ICU; without LLVM and perl), Redis 8 MB, Kafka 100 MB (a 52 MB Java runtime and 48 MB of jars),
# Jaeger 85 MB and Mailpit 26 MB (one binary each). LLVM alone would add 130 MB, Debian's whole Java
# runtime 200 MB, a JDK or apt's lists and archives more: each breaks its bound.
ADDED_BYTES_BOUND = {
    "postgresql": 100_000_000,
    "redis": 15_000_000,
    "kafka": 115_000_000,
    "jaeger": 95_000_000,
    "mailpit": 35_000_000,
}
# Compilers, installers and package files anywhere in the image, and anything left in apt's caches.
LEFTOVERS = (
    "find / -xdev ! -type d \\( -name gcc -o -name cc -o -name 'c++' -o -name make -o -name go"
    " -o -name javac -o -name jlink -o -name pip -o -name uv -o -name '*.deb' \\) -print;"
    " find /var/lib/apt/lists /var/cache/apt ! -type d -print"
)
# Seconds until a cold JVM (or a new database) on a busy 2-core machine passes its probes.
READY_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def manifests() -> str:
    return helm_template(CHART, release=RELEASE, values=[VALUES])


def test_the_cluster_values_run_these_images_and_no_other_public_one(
    manifests: str, built_dependencies: dict[str, DependencyImage]
) -> None:
    images_of = {
        workload["metadata"]["labels"]["app.kubernetes.io/component"]: {
            container["image"] for container in workload["spec"]["template"]["spec"]["containers"]
        }
        for workload in objects(manifests)
        if workload["kind"] in {"Deployment", "StatefulSet", "Job"}
    }
    assert {name: images_of[name] for name in NAMES} == {
        name: {built_dependencies[name].tag} for name in NAMES
    }
    others = {image for component, found in images_of.items() if component not in NAMES for image in found}
    assert others
    assert all(image.startswith(images.IMAGE_PREFIX) for image in others), others
    # The chart's defaults stay the public images.
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    assert not [name for name in NAMES if defaults[name]["image"].startswith(IMAGE_PREFIX)]


@pytest.mark.parametrize("name", NAMES)
def test_runs_as_10001_with_no_build_tools_or_package_caches(
    docker: Docker, built_dependencies: dict[str, DependencyImage], name: str
) -> None:
    tag = built_dependencies[name].tag
    image, base = docker.image(tag), docker.image(images.base_image_name())
    assert image is not None
    assert base is not None
    assert image["Config"]["User"] == f"{USER}:{USER}"
    # As root, so that no directory is closed to the search.
    leftovers = docker("run", "--rm", "--network=none", "--user=0:0", "--entrypoint=sh", tag, "-c", LEFTOVERS)
    assert leftovers.split() == []
    added = image["Size"] - base["Size"]
    assert added < ADDED_BYTES_BOUND[name], f"{added / 1e6:.0f} MB"


@pytest.mark.parametrize("uid", [None, 23456], ids=["chart-user", "any-user"])
def test_postgresql_takes_the_chart_login_and_has_the_init_script_databases(
    docker: Docker,
    built_dependencies: dict[str, DependencyImage],
    manifests: str,
    tmp_path: Path,
    uid: int | None,
) -> None:
    pod = ChartPod.of(manifests, "postgresql")
    if uid is not None:
        pod.spec["securityContext"]["runAsUser"] = uid
    port = free_port()
    # Both the server and the probes' pg_isready read the port from PGPORT.
    pod.container["env"].append({"name": "PGPORT", "value": str(port)})
    pod.move_port("postgresql", port)
    init_script = pod.config_maps[f"{RELEASE}-postgresql-init"]["databases.sql"]
    made_by_the_script = set(re.findall(r"^CREATE DATABASE (\w+);$", init_script, re.MULTILINE))
    login = {"user": pod.environment["POSTGRES_USER"], "password": pod.environment["POSTGRES_PASSWORD"]}

    async def inspect() -> tuple[set[str], str]:
        connection = await asyncpg.connect(host=LOOPBACK, port=port, database="postgres", **login)
        try:
            databases = {row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")}
            return databases, await connection.fetchval("SHOW listen_addresses")
        finally:
            await connection.close()

    async def wrong_password() -> None:
        await asyncpg.connect(
            host=LOOPBACK, port=port, user=login["user"], password="wrong", database="postgres"
        )

    with pod.serving(docker, tmp_path, timeout=READY_TIMEOUT) as container:
        databases, listening = asyncio.run(inspect())
        with pytest.raises(asyncpg.InvalidPasswordError):
            asyncio.run(wrong_password())
        running_as = docker("exec", container, "id", "-u").strip()

    assert login == {
        "user": "tickethub",
        "password": yaml.safe_load(VALUES.read_text())["postgresql"]["password"],
    }
    assert made_by_the_script
    assert made_by_the_script <= databases
    assert listening == "*"
    assert running_as == str(uid or USER)


def test_redis_answers_ping_and_keeps_nothing_on_disk(
    docker: Docker, built_dependencies: dict[str, DependencyImage], manifests: str, tmp_path: Path
) -> None:
    pod = ChartPod.of(manifests, "redis")
    port = free_port()
    pod.container["command"] += ["--port", str(port)]  # the last of an option wins
    for probe in ("readinessProbe", "livenessProbe"):
        assert pod.container[probe]["exec"]["command"] == ["redis-cli", "ping"]
        pod.container[probe]["exec"]["command"] = ["redis-cli", "-p", str(port), "ping"]
    pod.move_port("redis", port)

    with (
        pod.serving(docker, tmp_path, timeout=READY_TIMEOUT),
        redis.Redis(host=LOOPBACK, port=port) as client,
    ):
        answer = client.ping()
        settings = {**client.config_get("save"), **client.config_get("appendonly")}

    assert answer is True
    assert settings == {"save": "", "appendonly": "no"}


def test_kafka_formats_its_volume_once_and_takes_a_produce_consume_round_trip(
    docker: Docker, built_dependencies: dict[str, DependencyImage], manifests: str, tmp_path: Path
) -> None:
    pod = ChartPod.of(manifests, "kafka")
    port, controller_port = free_port(), free_port()
    config = pod.config_maps[f"{RELEASE}-kafka"]
    config["server.properties"] = with_properties(
        config["server.properties"],
        {
            "listeners": f"PLAINTEXT://{LOOPBACK}:{port},CONTROLLER://{LOOPBACK}:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{port}",
            "controller.quorum.voters": f"1@{LOOPBACK}:{controller_port}",
        },
    )
    pod.move_port("kafka", port)
    bootstrap_servers = f"{LOOPBACK}:{port}"
    topic = f"bookings-{uuid.uuid4().hex[:8]}"

    async def round_trip() -> tuple[bytes | None, bytes | None]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
        finally:
            await admin.close()
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"booking requested", key=b"booking-1")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap_servers, group_id="image-test", auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=60)
        finally:
            await consumer.stop()
        return record.key, record.value

    with pod.serving(docker, tmp_path, timeout=READY_TIMEOUT) as container:
        # The port opens before the broker has joined its quorum; clients wait for it.
        images.wait_for(docker, container, lambda: probes.kafka_api_versions(port), "ApiVersions")
        received = asyncio.run(round_trip())
        formatted = docker("exec", container, "cat", "/var/lib/kafka/data/kraft/meta.properties")

    assert received == (b"booking-1", b"booking requested")
    # A cluster id as `kafka-storage.sh random-uuid` prints it, and nothing else of its output.
    assert re.search(r"^cluster\.id=[\w-]{22}$", formatted, re.MULTILINE), formatted


def test_mailpit_accepts_any_smtp_login_and_shows_the_message_on_its_api(
    docker: Docker, built_dependencies: dict[str, DependencyImage], manifests: str, tmp_path: Path
) -> None:
    pod = ChartPod.of(manifests, "mailpit")
    smtp_port, http_port = free_port(), free_port()
    pod.container["env"] += [
        {"name": "MP_SMTP_BIND_ADDR", "value": f"{LOOPBACK}:{smtp_port}"},
        {"name": "MP_UI_BIND_ADDR", "value": f"{LOOPBACK}:{http_port}"},
    ]
    pod.move_port("smtp", smtp_port)
    pod.move_port("http", http_port)
    message = EmailMessage()
    message["From"] = "tickets@tickethub.test"
    message["To"] = "buyer@example.test"
    message["Subject"] = f"Booking {uuid.uuid4().hex[:8]} confirmed"
    message.set_content("Seats A1, A2")

    with pod.serving(docker, tmp_path, timeout=READY_TIMEOUT) as container:
        with smtplib.SMTP(LOOPBACK, smtp_port, timeout=10) as smtp:
            smtp.login("notification", "a production password")
            smtp.send_message(message)
        [caught] = until(
            docker,
            container,
            lambda: httpx.get(f"http://{LOOPBACK}:{http_port}/api/v1/messages").json()["messages"],
            "the message on Mailpit's API",
        )

    assert caught["Subject"] == message["Subject"]
    assert [recipient["Address"] for recipient in caught["To"]] == ["buyer@example.test"]


def test_jaeger_takes_an_otlp_span_and_returns_it_on_its_query_api(
    docker: Docker, built_dependencies: dict[str, DependencyImage], manifests: str, tmp_path: Path
) -> None:
    pod = ChartPod.of(manifests, "jaeger")
    otlp_port, query_port, query_grpc_port = free_port(), free_port(), free_port()
    config_map = pod.config_maps[f"{RELEASE}-jaeger"]
    config = yaml.safe_load(config_map["config.yaml"])
    config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] = f"{LOOPBACK}:{otlp_port}"
    config["extensions"]["jaeger_query"]["http"]["endpoint"] = f"{LOOPBACK}:{query_port}"
    config["extensions"]["jaeger_query"]["grpc"]["endpoint"] = f"{LOOPBACK}:{query_grpc_port}"
    config_map["config.yaml"] = yaml.safe_dump(config)
    pod.move_port("otlp-http", otlp_port)
    pod.move_port("query", query_port)
    query = f"http://{LOOPBACK}:{query_port}/api/traces"

    with pod.serving(docker, tmp_path, timeout=READY_TIMEOUT) as container:
        provider = TracerProvider(resource=Resource.create({"service.name": "image-test"}))
        exporter = OTLPSpanExporter(endpoint=f"http://{LOOPBACK}:{otlp_port}/v1/traces", timeout=10)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        with provider.get_tracer("image-test").start_as_current_span("hold seats") as span:
            trace_id = f"{span.get_span_context().trace_id:032x}"
        provider.shutdown()
        [trace] = until(
            docker,
            container,
            lambda: httpx.get(f"{query}/{trace_id}").json().get("data"),
            "the trace on Jaeger's API",
        )

    assert trace["traceID"] == trace_id
    assert [span["operationName"] for span in trace["spans"]] == ["hold seats"]


def with_properties(text: str, changes: dict[str, str]) -> str:
    """A Java properties file with `changes` in place of the lines of the same keys."""
    kept = [line for line in text.splitlines() if line.split("=", 1)[0] not in changes]
    return "\n".join([*kept, *(f"{key}={value}" for key, value in changes.items())]) + "\n"


def until(docker: Docker, container: str, fetch: Callable[[], Any], what: str) -> Any:
    """What `fetch` returns once it returns something truthy (it polls); fails with the container's
    log when the container exits or the deadline passes first."""
    fetched: list[Any] = []

    def arrived() -> bool:
        fetched.append(fetch())
        return bool(fetched[-1])

    images.wait_for(docker, container, arrived, what, timeout=30)
    return fetched[-1]

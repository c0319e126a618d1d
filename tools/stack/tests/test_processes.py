"""Starts every real server on free loopback ports in a temporary directory, proves that it serves
clients, stops it and proves that the process and its ports are gone."""

import asyncio
import json
import smtplib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from tickethub.stack.ports import free_port, port_in_use
from tickethub.stack.processes import Kafka, MailCatcher, Postgres, Redis, Server, Zipkin

pytestmark = pytest.mark.integration

READY_TIMEOUT = 120.0  # a cold JVM on a busy 2-core machine


@contextmanager
def serving(server: Server) -> Iterator[None]:
    """Run `server` for the block, then check that stopping it left nothing behind."""
    started = time.monotonic()
    server.start()
    try:
        server.wait_ready(READY_TIMEOUT)
        print(f"{server.name} ready {time.monotonic() - started:.2f} s after start()")
        pid = server.pid()
        assert pid is not None
        yield
    finally:
        server.stop()
    assert not server.is_running()
    assert not alive(pid)
    assert not server.pid_file.exists()
    assert [port for port in server.ports if port_in_use(port)] == []


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (an orphan's zombie awaits init's reaping)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def poll(fetch: Any, timeout: float = 30.0) -> Any:
    """Call fetch() until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not (result := fetch()):
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.1)
    return result


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        return json.load(response)


def test_postgres_serves_queries_and_creates_databases(tmp_path: Path) -> None:
    postgres = Postgres(tmp_path / "postgres", free_port(), fsync=False)

    async def query() -> tuple[str, str]:
        conn = await asyncpg.connect(postgres.dsn("booking"))
        try:
            return await conn.fetchval("SELECT current_database()"), await conn.fetchval("SHOW fsync")
        finally:
            await conn.close()

    with serving(postgres):
        postgres.create_database("booking")
        postgres.create_database("booking")  # idempotent
        assert asyncio.run(query()) == ("booking", "off")


def test_redis_answers_ping_without_persistence(tmp_path: Path) -> None:
    server = Redis(tmp_path / "redis", free_port())
    with serving(server):
        client = redis.Redis.from_url(server.url)
        assert client.ping() is True
        assert client.config_get("appendonly") == {"appendonly": "no"}
        client.close()


def test_persistent_redis_keeps_data_across_restarts(tmp_path: Path) -> None:
    server = Redis(tmp_path / "redis", free_port(), persistent=True)
    with serving(server):
        client = redis.Redis.from_url(server.url)
        client.set("seat", "held")
        client.close()
    with serving(server):
        client = redis.Redis.from_url(server.url)
        assert client.get("seat") == b"held"
        client.close()


def test_server_outlives_the_process_that_started_it(tmp_path: Path) -> None:
    port = free_port()
    starter = (
        "import sys; from pathlib import Path; from tickethub.stack.processes import Redis; "
        "r = Redis(Path(sys.argv[1]), int(sys.argv[2])); r.start(); r.wait_ready(30)"
    )
    subprocess.run(
        [sys.executable, "-c", starter, str(tmp_path / "redis"), str(port)], check=True, timeout=60
    )

    adopted = Redis(tmp_path / "redis", port)
    assert adopted.is_running()
    adopted.start()  # already running: a no-op, not a second server
    adopted.wait_ready(10)
    pid = adopted.pid()
    assert pid is not None
    adopted.stop()
    assert not adopted.is_running()
    assert not alive(pid)
    assert not port_in_use(port)


def test_kafka_round_trip_on_a_declared_topic(tmp_path: Path) -> None:
    kafka = Kafka(tmp_path / "kafka", free_port())

    async def round_trip() -> tuple[bytes | None, bytes | None, set[str]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
        await admin.start()
        try:
            await admin.create_topics([NewTopic("bookings", num_partitions=3, replication_factor=1)])
            topics = set(await admin.list_topics())
        finally:
            await admin.close()
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka.bootstrap_servers, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            await producer.send_and_wait("bookings", b"booking requested", key=b"booking-1")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            "bookings",
            bootstrap_servers=kafka.bootstrap_servers,
            group_id="stack-test",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=60)
        finally:
            await consumer.stop()
        return record.key, record.value, topics

    with serving(kafka):
        key, value, topics = asyncio.run(round_trip())
    assert (key, value) == (b"booking-1", b"booking requested")
    assert "bookings" in topics
    assert "auto.create.topics.enable=false" in (tmp_path / "kafka" / "server.properties").read_text()


def test_mailcatcher_shows_sent_mail_in_its_api_and_ui(tmp_path: Path) -> None:
    catcher = MailCatcher(tmp_path / "mail", free_port(), free_port())
    message = EmailMessage()
    message["From"] = "tickets@tickethub.test"
    message["To"] = "buyer@example.test"
    message["Subject"] = "Booking confirmed"
    message.set_content("Seats A1, A2")

    with serving(catcher):
        with smtplib.SMTP("127.0.0.1", catcher.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
        listing = poll(lambda: get_json(f"{catcher.http_url}/api/v1/messages")["messages"])
        detail = get_json(f"{catcher.http_url}/api/v1/message/{listing[0]['ID']}")
        with urllib.request.urlopen(f"{catcher.http_url}/", timeout=5) as page:  # noqa: S310 (loopback)
            index = page.read().decode()
        with urllib.request.urlopen(f"{catcher.http_url}/dist/app.js", timeout=5) as script:  # noqa: S310
            bundle_size = len(script.read())
    assert detail["Subject"] == "Booking confirmed"
    assert detail["To"][0]["Address"] == "buyer@example.test"
    assert detail["Text"].strip() == "Seats A1, A2"
    assert "dist/app.js" in index
    assert bundle_size > 100_000  # the real web UI, not a stub


def test_zipkin_receives_the_exporters_spans_and_serves_them_to_its_ui(tmp_path: Path) -> None:
    zipkin = Zipkin(tmp_path / "zipkin", free_port())
    with serving(zipkin):
        provider = TracerProvider(resource=Resource.create({"service.name": "stack-test"}))
        provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=zipkin.spans_endpoint)))
        tracer = provider.get_tracer("stack-test")
        with tracer.start_as_current_span("hold seats") as parent:
            trace_id = f"{parent.get_span_context().trace_id:032x}"
            with tracer.start_as_current_span("lock row"):
                pass
        provider.shutdown()

        def stored_trace() -> list[dict[str, Any]] | None:  # the collector stores asynchronously
            traces = get_json(f"{zipkin.url}/api/v2/traces?serviceName=stack-test")
            return traces[0] if traces and len(traces[0]) == 2 else None

        trace = poll(stored_trace)
        with urllib.request.urlopen(zipkin.ui_url, timeout=5) as page:  # noqa: S310
            index = page.read().decode()
    spans = {span["name"]: span for span in trace}
    assert set(spans) == {"hold seats", "lock row"}
    assert {span["traceId"] for span in trace} == {trace_id}
    assert spans["lock row"]["parentId"] == spans["hold seats"]["id"]
    assert spans["hold seats"]["localEndpoint"]["serviceName"] == "stack-test"
    assert "<title>Zipkin</title>" in index

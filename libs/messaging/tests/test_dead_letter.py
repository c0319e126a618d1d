"""Saga subscriptions on a real Kafka: commit after handling, bounded retries, then dead-letter."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider

from tickethub.contracts import Event, Topic
from tickethub.messaging import create_broker, declare_topics, subscribe
from tickethub.settings import KafkaSettings
from tickethub.telemetry import Telemetry
from tickethub.testing import Infrastructure

pytestmark = pytest.mark.integration
GROUP = "dead-letter-test"  # every test has a topic of its own, so one group name cannot share offsets


class Ping(Event):
    n: int


async def until(probe: Callable[[], bool], what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def topic(infra: Infrastructure) -> Topic:
    declared = Topic(
        f"test.ping.{uuid.uuid4().hex[:8]}", Ping, key="n", producer="test", consumers=(GROUP,), partitions=1
    )
    await declare_topics(infra.kafka_bootstrap_servers, [declared])
    return declared


@pytest.fixture
async def broker(infra: Infrastructure) -> AsyncIterator[KafkaBroker]:
    settings = KafkaSettings(KAFKA_BOOTSTRAP_SERVERS=infra.kafka_bootstrap_servers, KAFKA_CONSUMER_RETRIES=3)
    broker = create_broker(settings, Telemetry(TracerProvider(), MeterProvider()))
    yield broker
    await broker.stop()


async def dead_letters(infra: Infrastructure, topic: Topic) -> list[Any]:
    """Everything in the topic's dead-letter twin right now (read up to its end offset)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic.dead_letter, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        found: list[Any] = []
        while await consumer.position(partition) < end:
            for records in (await consumer.getmany(partition, timeout_ms=200)).values():
                found += records
        return found
    finally:
        await consumer.stop()


async def dead_letters_arriving(infra: Infrastructure, topic: Topic, within: float = 20.0) -> list[Any]:
    deadline = time.monotonic() + within
    while not (found := await dead_letters(infra, topic)):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a dead letter")
        await asyncio.sleep(0.1)
    return found


def handler_failing(times: int, error: type[Exception], seen: list[int]) -> Callable[[Ping], Awaitable[None]]:
    async def handle(event: Ping) -> None:
        seen.append(event.n)
        if seen.count(event.n) <= times:
            raise error(f"attempt {seen.count(event.n)} of {event.n}")

    return handle


async def test_a_poison_message_is_dead_lettered_after_bounded_retries_and_the_next_one_flows(
    infra: Infrastructure, broker: KafkaBroker, topic: Topic
) -> None:
    seen: list[int] = []
    subscribe(broker, topic, group=GROUP)(handler_failing(100, ValueError, seen))
    await broker.start()

    await broker.publish(Ping(n=1), topic=topic.name, key=b"1")
    await broker.publish(Ping(n=2), topic=topic.name, key=b"2")

    [letter] = await dead_letters_arriving(infra, topic)
    assert letter.key == b"1"
    headers = {k: v.decode() for k, v in letter.headers}
    assert headers["x-origin-topic"] == topic.name
    assert headers["x-attempts"] == "3"
    assert headers["x-error"].startswith("ValueError")
    await until(lambda: seen.count(2) >= 3, "the next message to be handled after the poison one")
    assert seen.count(1) == 3


async def test_a_failing_handler_is_retried_and_its_message_is_not_lost(
    infra: Infrastructure, broker: KafkaBroker, topic: Topic
) -> None:
    seen: list[int] = []
    subscribe(broker, topic, group=GROUP)(handler_failing(2, RuntimeError, seen))
    await broker.start()

    await broker.publish(Ping(n=7), topic=topic.name, key=b"7")

    await until(lambda: seen.count(7) == 3, "the third attempt, which succeeds")
    assert await dead_letters(infra, topic) == []


async def test_infrastructure_failures_are_retried_past_the_cap(
    infra: Infrastructure, broker: KafkaBroker, topic: Topic
) -> None:
    seen: list[int] = []
    subscribe(broker, topic, group=GROUP)(handler_failing(5, ConnectionError, seen))
    await broker.start()

    await broker.publish(Ping(n=3), topic=topic.name, key=b"3")

    await until(lambda: seen.count(3) == 6, "success after more failures than the retry cap", within=30)
    assert await dead_letters(infra, topic) == []

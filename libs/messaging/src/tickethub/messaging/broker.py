"""The Kafka broker every service uses, with its topics declared and saga-safe subscriptions."""

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from tickethub.contracts.topics import Topic
from tickethub.messaging.dead_letter import TRANSIENT_ERRORS, DeadLetterPolicy
from tickethub.settings import KafkaSettings
from tickethub.startup import until_available
from tickethub.telemetry import Telemetry, kafka_middleware


def create_broker(
    settings: KafkaSettings,
    telemetry: Telemetry,
    *,
    transient_errors: tuple[type[BaseException], ...] = (),
) -> KafkaBroker:
    """Idempotent producer with acks from every replica; telemetry and dead-lettering on consumers."""
    dead_letters = DeadLetterPolicy(
        max_attempts=settings.kafka_consumer_retries, transient=TRANSIENT_ERRORS + transient_errors
    )
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=True,
        allow_auto_create_topics=False,
        middlewares=[kafka_middleware(telemetry), dead_letters],
        logger=None,
    )


def subscribe(broker: KafkaBroker, topic: Topic, *, group: str) -> Callable[[Any], Any]:
    """A saga subscription: a consumer group, offsets committed only after the handler returns.

    NACK_ON_ERROR, not ACK: FastStream's ACK policy commits even when the handler raises.
    The group must be listed among the topic's consumers, so the contracts table (and the AsyncAPI
    document generated from it) never misses a reader.
    """
    if group not in topic.consumers:
        raise ValueError(f"{topic.name} does not list {group!r} among its consumers in the contracts table")
    return broker.subscriber(
        topic.name,
        group_id=group,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        title=f"{group}:{topic.name}",
        description=f"{topic.event.__name__} (key: {topic.key})",
    )


async def declare_topics(bootstrap_servers: str, topics: Iterable[Topic], *, replication: int = 1) -> None:
    """Creates each topic and its dead-letter twin if missing (idempotent; safe from every replica)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name, num_partitions=topic.partitions, replication_factor=replication)
            for topic in topics
            for name in (topic.name, topic.dead_letter)
            if name not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # declared meanwhile by another process
                await admin.create_topics(wanted)
    finally:
        await admin.close()


def broker_lifespan(
    broker: KafkaBroker, settings: KafkaSettings, topics: Iterable[Topic]
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Declares the topics, then starts the broker; waits for Kafka first (a pod may start before it)."""
    declared = tuple(topics)

    async def declare() -> None:
        await declare_topics(
            settings.kafka_bootstrap_servers, declared, replication=settings.kafka_replication_factor
        )

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        await until_available(
            "Kafka", declare, transient=(KafkaConnectionError,), patience=settings.startup_wait_seconds
        )
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()

    return lifespan

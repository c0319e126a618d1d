"""Kafka for a service's tests: publish events, wait until they are handled, read a topic by key.

"Handled" is observed, never slept for: the service's consumer group has committed past every
published message and, where the service answers through an outbox, the outbox is empty again.
"""

import types

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tickethub.contracts import Event, Topic
from tickethub.testing.waiting import eventually


async def outbox_drained(db: asyncpg.Connection) -> None:
    """The outbox relay has published (and so deleted) every row of the `outbox` table."""

    async def empty() -> bool:
        remaining: int = await db.fetchval("SELECT count(*) FROM outbox")
        return remaining == 0

    await eventually(empty, "the outbox relay to publish every recorded event")


class KafkaProbe:
    """Publishes events as another service's outbox relay does and observes what `group` did with them.

    Give `outbox` (a connection to the service's database) when the service answers through an
    outbox: `settled()` then also waits until every answer is on Kafka. Use it as `async with`.
    """

    def __init__(
        self, bootstrap_servers: str, *, group: str, outbox: asyncpg.Connection | None = None
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.group = group
        self.outbox = outbox
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=True
        )
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        self.published: dict[TopicPartition, int] = {}

    async def __aenter__(self) -> "KafkaProbe":
        await self.producer.start()
        try:
            await self.admin.start()
        except BaseException:
            await self.producer.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        await self.producer.stop()
        await self.admin.close()

    async def publish(self, topic: Topic, event: Event, key: str) -> None:
        """Sends `event` to `topic` with the headers the outbox relay sets, and remembers its offset."""
        metadata = await self.producer.send_and_wait(
            topic.name,
            event.model_dump_json().encode(),
            key=key.encode(),
            headers=[("content-type", b"application/json"), ("event-id", str(event.event_id).encode())],
        )
        partition = TopicPartition(metadata.topic, metadata.partition)
        self.published[partition] = max(self.published.get(partition, -1), metadata.offset)

    async def committed(self) -> None:
        """The consumer group has committed past everything published so far (so it handled it)."""

        async def handled() -> bool:
            committed = await self.admin.list_consumer_group_offsets(
                self.group, partitions=list(self.published)
            )
            return all(
                partition in committed and committed[partition].offset > offset
                for partition, offset in self.published.items()
            )

        await eventually(handled, f"consumer group {self.group!r} to commit past every published message")

    async def settled(self) -> None:
        """Everything published so far is handled, and (with an outbox) every answer is on Kafka."""
        await self.committed()
        if self.outbox is not None:
            await outbox_drained(self.outbox)

    async def read(self, topic: Topic, key: str) -> list[Event]:
        """Every event with `key` on `topic`, from the beginning to the current end."""
        partitions = [TopicPartition(topic.name, p) for p in await self.producer.partitions_for(topic.name)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            found: list[Event] = []
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                batches = await consumer.getmany(*partitions, timeout_ms=500)
                found.extend(
                    topic.event.model_validate_json(record.value)
                    for records in batches.values()
                    for record in records
                    if record.key == key.encode()
                )
            return found
        finally:
            await consumer.stop()

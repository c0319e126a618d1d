"""Delivering a saga message twice changes nothing: one charge, one confirmation, one e-mail."""

import uuid
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from system import Api
from tickethub.contracts import BOOKING_CONFIRMED, BOOKING_REQUESTED, PAYMENT_SUCCEEDED
from tickethub.stack.local import Stack
from tickethub.testing import eventually

pytestmark = pytest.mark.e2e


async def partitions_of(stack: Stack, topic: str) -> list[TopicPartition]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()  # unlike a consumer, a producer fetches a topic's metadata on request
    try:
        return [TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))]
    finally:
        await producer.stop()


async def records_for(stack: Stack, topic: str, booking_id: str) -> list[Any]:
    """Every record of `topic` keyed by this booking, read from the beginning."""
    partitions = await partitions_of(stack, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in records if r.key == booking_id.encode()]
        return found
    finally:
        await consumer.stop()


async def redeliver(stack: Stack, record: Any) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
    finally:
        await producer.stop()


async def test_redelivered_request_and_result_charge_and_confirm_once(
    api: Api, stack: Stack, payment_db: asyncpg.Connection, booking_db: asyncpg.Connection
) -> None:
    show = await api.create_show()
    user, token = await api.user_token()
    booking_id = (await api.book(token, show["id"], ["A9"])).json()["id"]
    await api.wait_for_status(token, booking_id, "CONFIRMED")
    await eventually(lambda: api.mails_to(user["email"]), what="the first e-mail")
    [requested] = await records_for(stack, BOOKING_REQUESTED.name, booking_id)
    [succeeded] = await records_for(stack, PAYMENT_SUCCEEDED.name, booking_id)

    await redeliver(stack, requested)
    await redeliver(stack, succeeded)
    later_id = (await api.book(token, show["id"], ["A10"])).json()["id"]
    await api.wait_for_status(token, later_id, "CONFIRMED")

    assert await payment_db.fetchval("SELECT count(*) FROM payments WHERE booking_id = $1", booking_id) == 1
    assert len(await records_for(stack, BOOKING_CONFIRMED.name, booking_id)) == 1
    assert (
        await booking_db.fetchval("SELECT status FROM bookings WHERE id = $1", uuid.UUID(booking_id))
        == "CONFIRMED"
    )
    assert len(await api.mails_to(user["email"])) == 2  # one per booking, none for the duplicates

"""Kafka for the sagas: one broker factory, declared topics and saga-safe subscriptions."""

from tickethub.messaging.broker import broker_lifespan, create_broker, declare_topics, subscribe
from tickethub.messaging.dead_letter import DeadLetterPolicy

__all__ = ["DeadLetterPolicy", "broker_lifespan", "create_broker", "declare_topics", "subscribe"]

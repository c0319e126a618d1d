"""Idempotent consumers: a message is handled once per consumer, whatever Kafka redelivers.

The processed-message row is written in the same transaction as the handler's effects, so either
both happen or neither does, and a redelivery finds the row and does nothing.
"""

from tickethub.inbox.inbox import InboxMessage, first_delivery

__all__ = ["InboxMessage", "first_delivery"]

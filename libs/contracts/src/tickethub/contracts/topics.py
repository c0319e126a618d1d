"""Every topic, declared once: name, event model, key, partitions, and which services send and read it.

Topics are created from this table (never auto-created), each with a dead-letter twin. The table is the
one record of who talks to whom: each service declares (and may subscribe to) only the topics listed
here for it, and the AsyncAPI document (`python -m tickethub.contracts.asyncapi`) is generated from it.
"""

from dataclasses import dataclass

from tickethub.contracts.booking import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingRequested,
    RefundRequested,
)
from tickethub.contracts.catalog import ShowCancelled, ShowPublished
from tickethub.contracts.envelope import Event
from tickethub.contracts.payment import PaymentFailed, PaymentRefunded, PaymentSucceeded

DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topic:
    name: str
    event: type[Event]
    key: str
    producer: str  # the one service that publishes it (through its outbox)
    consumers: tuple[str, ...]  # consumer group names, which are the consuming services' names
    partitions: int = 6

    @property
    def dead_letter(self) -> str:
        return self.name + DEAD_LETTER_SUFFIX


SHOW_PUBLISHED = Topic(
    "catalog.show-published.v1", ShowPublished, key="show id", producer="catalog", consumers=("booking",)
)
SHOW_CANCELLED = Topic(
    "catalog.show-cancelled.v1", ShowCancelled, key="show id", producer="catalog", consumers=("booking",)
)
BOOKING_REQUESTED = Topic(
    "booking.requested.v1", BookingRequested, key="booking id", producer="booking", consumers=("payment",)
)
BOOKING_CONFIRMED = Topic(
    "booking.confirmed.v1",
    BookingConfirmed,
    key="booking id",
    producer="booking",
    consumers=("notification",),
)
BOOKING_CANCELLED = Topic(
    "booking.cancelled.v1",
    BookingCancelled,
    key="booking id",
    producer="booking",
    consumers=("notification",),
)
BOOKING_EXPIRED = Topic(
    "booking.expired.v1", BookingExpired, key="booking id", producer="booking", consumers=("notification",)
)
REFUND_REQUESTED = Topic(
    "booking.refund-requested.v1",
    RefundRequested,
    key="booking id",
    producer="booking",
    consumers=("payment",),
)
PAYMENT_SUCCEEDED = Topic(
    "payment.succeeded.v1", PaymentSucceeded, key="booking id", producer="payment", consumers=("booking",)
)
PAYMENT_FAILED = Topic(
    "payment.failed.v1", PaymentFailed, key="booking id", producer="payment", consumers=("booking",)
)
PAYMENT_REFUNDED = Topic(
    "payment.refunded.v1", PaymentRefunded, key="booking id", producer="payment", consumers=("booking",)
)

ALL_TOPICS = (
    SHOW_PUBLISHED,
    SHOW_CANCELLED,
    BOOKING_REQUESTED,
    BOOKING_CONFIRMED,
    BOOKING_CANCELLED,
    BOOKING_EXPIRED,
    REFUND_REQUESTED,
    PAYMENT_SUCCEEDED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
)


def published_by(service: str) -> tuple[Topic, ...]:
    return tuple(topic for topic in ALL_TOPICS if topic.producer == service)


def consumed_by(service: str) -> tuple[Topic, ...]:
    return tuple(topic for topic in ALL_TOPICS if service in topic.consumers)

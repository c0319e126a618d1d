"""Every topic, declared once: name, event model, partitions and what its key is.

Topics are created from this table (never auto-created), each with a dead-letter twin.
"""

from dataclasses import dataclass

from tickethub.contracts.booking import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingRequested,
    RefundRequested,
)
from tickethub.contracts.catalog import ShowPublished
from tickethub.contracts.envelope import Event
from tickethub.contracts.payment import PaymentFailed, PaymentRefunded, PaymentSucceeded

DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topic:
    name: str
    event: type[Event]
    key: str
    partitions: int = 6

    @property
    def dead_letter(self) -> str:
        return self.name + DEAD_LETTER_SUFFIX


SHOW_PUBLISHED = Topic("catalog.show-published.v1", ShowPublished, key="show id")
BOOKING_REQUESTED = Topic("booking.requested.v1", BookingRequested, key="booking id")
BOOKING_CONFIRMED = Topic("booking.confirmed.v1", BookingConfirmed, key="booking id")
BOOKING_CANCELLED = Topic("booking.cancelled.v1", BookingCancelled, key="booking id")
BOOKING_EXPIRED = Topic("booking.expired.v1", BookingExpired, key="booking id")
REFUND_REQUESTED = Topic("booking.refund-requested.v1", RefundRequested, key="booking id")
PAYMENT_SUCCEEDED = Topic("payment.succeeded.v1", PaymentSucceeded, key="booking id")
PAYMENT_FAILED = Topic("payment.failed.v1", PaymentFailed, key="booking id")
PAYMENT_REFUNDED = Topic("payment.refunded.v1", PaymentRefunded, key="booking id")

ALL_TOPICS = (
    SHOW_PUBLISHED,
    BOOKING_REQUESTED,
    BOOKING_CONFIRMED,
    BOOKING_CANCELLED,
    BOOKING_EXPIRED,
    REFUND_REQUESTED,
    PAYMENT_SUCCEEDED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
)

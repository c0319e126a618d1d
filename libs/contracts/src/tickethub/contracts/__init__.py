"""Versioned event contracts and their topics: what services tell each other over Kafka.

One topic per event type and version; the key of every saga event is the booking id (catalog
events: the show id), so all events of one booking land on one partition in order.
"""

from tickethub.contracts.booking import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingOutcome,
    BookingRequested,
    RefundRequested,
)
from tickethub.contracts.catalog import SeatSnapshot, ShowCancelled, ShowPublished
from tickethub.contracts.envelope import Event
from tickethub.contracts.payment import PaymentFailed, PaymentRefunded, PaymentSucceeded
from tickethub.contracts.topics import (
    ALL_TOPICS,
    BOOKING_CANCELLED,
    BOOKING_CONFIRMED,
    BOOKING_EXPIRED,
    BOOKING_REQUESTED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    REFUND_REQUESTED,
    SHOW_CANCELLED,
    SHOW_PUBLISHED,
    Topic,
    consumed_by,
    published_by,
)

__all__ = [
    "ALL_TOPICS",
    "BOOKING_CANCELLED",
    "BOOKING_CONFIRMED",
    "BOOKING_EXPIRED",
    "BOOKING_REQUESTED",
    "PAYMENT_FAILED",
    "PAYMENT_REFUNDED",
    "PAYMENT_SUCCEEDED",
    "REFUND_REQUESTED",
    "SHOW_CANCELLED",
    "SHOW_PUBLISHED",
    "BookingCancelled",
    "BookingConfirmed",
    "BookingExpired",
    "BookingOutcome",
    "BookingRequested",
    "Event",
    "PaymentFailed",
    "PaymentRefunded",
    "PaymentSucceeded",
    "RefundRequested",
    "SeatSnapshot",
    "ShowCancelled",
    "ShowPublished",
    "Topic",
    "consumed_by",
    "published_by",
]

"""The inbox consumer names are stored with every processed message id of running systems: a changed
name would handle every message Kafka redelivers once more."""

from payment.service.charging import CHARGE_CONSUMER
from payment.service.refunding import REFUND_CONSUMER


def test_the_consumer_names_are_those_stored_since_the_first_release() -> None:
    # Built as "<consumer group>:<topic>" when the inbox was introduced.
    stored = ("payment:booking.requested.v1", "payment:booking.refund-requested.v1")
    assert stored == (CHARGE_CONSUMER, REFUND_CONSUMER)

"""Payment events: the result of charging (or refunding) one booking."""

from decimal import Decimal

from tickethub.contracts.envelope import Event


class PaymentSucceeded(Event):
    """The booking's amount was charged (once, whatever the number of requests)."""

    booking_id: str
    payment_id: str
    amount: Decimal
    currency: str


class PaymentFailed(Event):
    """The charge was declined or could not be made; nothing was taken."""

    booking_id: str
    reason: str


class PaymentRefunded(Event):
    """The booking's payment was refunded in full (once, whatever the number of requests)."""

    booking_id: str
    payment_id: str
    amount: Decimal
    currency: str

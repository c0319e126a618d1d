"""Payment events: the result of charging (or refunding) one booking."""

from decimal import Decimal

from tickethub.contracts.envelope import Event


class PaymentSucceeded(Event):
    booking_id: str
    payment_id: str
    amount: Decimal
    currency: str


class PaymentFailed(Event):
    booking_id: str
    reason: str


class PaymentRefunded(Event):
    booking_id: str
    payment_id: str
    amount: Decimal
    currency: str

"""What a payment is, what a payment provider must do, and the mock provider's decision rule."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol
from uuid import UUID, uuid5

DECLINE_TOKEN = "tok_decline"  # noqa: S105 - the documented test token that makes the mock decline
CARD_DECLINED = "card_declined"
PROVIDER_ERROR = "provider_error"

# Namespace of the ids of the events that announce a payment's outcome (see `announcement_id`).
_ANNOUNCEMENTS = UUID("6f1d3a52-6c1e-4a44-9f0e-2b8f6f3f6d1a")


class PaymentStatus(StrEnum):
    CHARGED = "CHARGED"
    DECLINED = "DECLINED"
    REFUNDED = "REFUNDED"


class Announcement(StrEnum):
    """The events payment publishes about one payment."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """The provider's answer to one charge: approved with a reference, or declined with a reason."""

    approved: bool
    reference: str | None
    reason: str | None = None

    @property
    def status(self) -> PaymentStatus:
        return PaymentStatus.CHARGED if self.approved else PaymentStatus.DECLINED


@dataclass(frozen=True, slots=True)
class RefundResult:
    reference: str


class PaymentProvider(Protocol):
    """A card processor. Both calls are idempotent per `key`: the same key never moves money twice
    and returns the first answer again (as real processors do with idempotency keys)."""

    async def charge(
        self, *, key: str, amount: Decimal, currency: str, token: str | None
    ) -> ChargeResult: ...

    async def refund(
        self, *, key: str, charge_reference: str, amount: Decimal, currency: str
    ) -> RefundResult: ...


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: UUID
    booking_id: str
    user_id: str
    amount: Decimal
    currency: str
    status: PaymentStatus
    reason: str | None
    provider_ref: str | None
    created_at: datetime
    refunded_at: datetime | None

    @property
    def outcome(self) -> Announcement:
        """What charging this booking resulted in (a refunded payment had succeeded)."""
        return Announcement.FAILED if self.status is PaymentStatus.DECLINED else Announcement.SUCCEEDED


def decide_charge(token: str | None, *, failure_roll: float, failure_rate: float) -> str | None:
    """The mock provider's rule: the decline reason, or None when the charge is approved.

    `failure_roll` is uniform in [0, 1): a rate of 0 never fails, a rate of 1 always does.
    """
    if token == DECLINE_TOKEN:
        return CARD_DECLINED
    if failure_roll < failure_rate:
        return PROVIDER_ERROR
    return None


def announcement_id(payment_id: UUID, announcement: Announcement) -> UUID:
    """The event id of an announcement about a payment, the same every time it is announced.

    When a booking is requested again under a new event id, payment re-announces the existing outcome
    instead of charging again; reusing the id lets booking's inbox drop the repeat if it already
    applied it, and apply it if the first announcement never got through.
    """
    return uuid5(_ANNOUNCEMENTS, f"{announcement}:{payment_id}")

"""The mock provider's decisions: approve by default, decline on request or at the failure rate,
answer once per key, and take the configured time (observed through an injected sleeper)."""

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from payment.adapters.provider import MockPaymentProvider
from payment.domain.payments import (
    CARD_DECLINED,
    DECLINE_TOKEN,
    PROVIDER_ERROR,
    Announcement,
    PaymentStatus,
    announcement_id,
    decide_charge,
)

AMOUNT = Decimal("250.00")


class RecordingSleeper:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def provider(**kwargs: Any) -> tuple[MockPaymentProvider, RecordingSleeper]:
    sleeper = RecordingSleeper()
    return MockPaymentProvider(sleep=sleeper, **kwargs), sleeper


@pytest.mark.parametrize(
    ("token", "roll", "rate", "expected"),
    [
        (None, 0.5, 0.0, None),
        ("tok_visa", 0.0, 0.0, None),
        (DECLINE_TOKEN, 0.99, 0.0, CARD_DECLINED),
        (None, 0.999_999, 1.0, PROVIDER_ERROR),
        (None, 0.0, 1.0, PROVIDER_ERROR),
        (None, 0.29, 0.3, PROVIDER_ERROR),
        (None, 0.3, 0.3, None),
        (DECLINE_TOKEN, 0.0, 1.0, CARD_DECLINED),  # an explicit decline keeps its own reason
    ],
)
def test_decide_charge(token: str | None, roll: float, rate: float, expected: str | None) -> None:
    assert decide_charge(token, failure_roll=roll, failure_rate=rate) == expected


async def test_approves_by_default() -> None:
    mock, _ = provider()
    result = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    assert result.approved
    assert result.status is PaymentStatus.CHARGED
    assert result.reason is None
    assert result.reference


async def test_decline_token_declines_with_a_reason() -> None:
    mock, _ = provider()
    result = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=DECLINE_TOKEN)
    assert not result.approved
    assert result.status is PaymentStatus.DECLINED
    assert result.reason == CARD_DECLINED


async def test_failure_rate_one_declines_every_charge_as_provider_error() -> None:
    mock, _ = provider(failure_rate=1.0)
    results = [await mock.charge(key=f"b{i}", amount=AMOUNT, currency="INR", token=None) for i in range(20)]
    assert {(r.approved, r.reason) for r in results} == {(False, PROVIDER_ERROR)}


async def test_failure_rate_uses_the_injected_roll() -> None:
    rolls = iter([0.1, 0.9])
    mock, _ = provider(failure_rate=0.5, roll=lambda: next(rolls))
    first = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    second = await mock.charge(key="b2", amount=AMOUNT, currency="INR", token=None)
    assert (first.reason, second.reason) == (PROVIDER_ERROR, None)


async def test_latency_is_honoured_through_the_sleeper() -> None:
    mock, sleeper = provider(latency_ms=250)
    await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    await mock.refund(key="r1", charge_reference="ch", amount=AMOUNT, currency="INR")
    assert sleeper.slept == [0.25, 0.25]


async def test_no_latency_means_no_sleep() -> None:
    mock, sleeper = provider()
    await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    assert sleeper.slept == []


async def test_charge_is_idempotent_per_key() -> None:
    rolls = iter([0.9, 0.1])  # the second roll would fail: a repeat must not roll again
    mock, _ = provider(failure_rate=0.5, roll=lambda: next(rolls))
    first = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    again = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    assert again == first
    assert first.approved


async def test_refund_is_idempotent_per_key() -> None:
    mock, _ = provider()
    first = await mock.refund(key="r1", charge_reference="ch", amount=AMOUNT, currency="INR")
    again = await mock.refund(key="r1", charge_reference="ch", amount=AMOUNT, currency="INR")
    other = await mock.refund(key="r2", charge_reference="ch", amount=AMOUNT, currency="INR")
    assert again == first
    assert other != first


async def test_memory_is_bounded() -> None:
    mock, _ = provider(memory=2)
    first = await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None)
    for key in ("b2", "b3"):
        await mock.charge(key=key, amount=AMOUNT, currency="INR", token=None)
    assert await mock.charge(key="b1", amount=AMOUNT, currency="INR", token=None) != first


def test_announcement_ids_are_stable_per_payment_and_kind() -> None:
    payment = uuid4()
    assert announcement_id(payment, Announcement.SUCCEEDED) == announcement_id(
        payment, Announcement.SUCCEEDED
    )
    assert announcement_id(payment, Announcement.SUCCEEDED) != announcement_id(payment, Announcement.REFUNDED)
    assert announcement_id(payment, Announcement.SUCCEEDED) != announcement_id(
        uuid4(), Announcement.SUCCEEDED
    )

"""The mock card processor behind `PaymentProvider`: instant or slow, approving or declining on demand.

A real processor replaces this class without touching the use cases; it must honour the same
idempotency keys (every real one has them: Stripe's Idempotency-Key, Adyen's idempotency header).
"""

import asyncio
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar
from uuid import uuid4

from payment.domain.payments import ChargeResult, RefundResult, decide_charge

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


class MockPaymentProvider:
    """Approves by default; `tok_decline` declines; `failure_rate` declines at random with
    `provider_error`; every call takes `latency_ms`.

    Answers are remembered per key (the most recent `memory` keys), so a redelivered request gets the
    first answer, including a random decline, and money never moves twice.
    """

    def __init__(
        self,
        *,
        latency_ms: int = 0,
        failure_rate: float = 0.0,
        sleep: Sleep = asyncio.sleep,
        roll: Callable[[], float] = random.random,
        memory: int = 100_000,
    ) -> None:
        self._latency = latency_ms / 1000
        self._failure_rate = failure_rate
        self._sleep = sleep
        self._roll = roll
        self._memory = memory
        self._charges: OrderedDict[str, ChargeResult] = OrderedDict()
        self._refunds: OrderedDict[str, RefundResult] = OrderedDict()

    async def charge(self, *, key: str, amount: Decimal, currency: str, token: str | None) -> ChargeResult:
        # Decided and remembered before the first await, so concurrent calls with one key agree.
        result = self._charges.get(key)
        if result is None:
            reason = decide_charge(token, failure_roll=self._roll(), failure_rate=self._failure_rate)
            result = ChargeResult(approved=reason is None, reference=f"mock_ch_{uuid4().hex}", reason=reason)
            self._remember(self._charges, key, result)
        await self._wait()
        return result

    async def refund(
        self, *, key: str, charge_reference: str, amount: Decimal, currency: str
    ) -> RefundResult:
        result = self._refunds.get(key)
        if result is None:
            result = RefundResult(reference=f"mock_re_{uuid4().hex}")
            self._remember(self._refunds, key, result)
        await self._wait()
        return result

    async def _wait(self) -> None:
        if self._latency > 0:
            await self._sleep(self._latency)

    def _remember(self, answers: OrderedDict[str, T], key: str, answer: T) -> None:
        answers[key] = answer
        if len(answers) > self._memory:
            answers.popitem(last=False)  # the oldest key; its booking was settled long ago

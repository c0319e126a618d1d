"""What payment's use cases work with, built once by the app factory."""

from dataclasses import dataclass

from payment.domain.payments import PaymentProvider
from payment.settings import Settings
from payment.store.payments import PaymentStore
from tickethub.db import UnitOfWork
from tickethub.kernel import Clock, utc_now


@dataclass(frozen=True, slots=True)
class PaymentContext:
    uow: UnitOfWork
    payments: PaymentStore
    provider: PaymentProvider  # the card processor; the mock one until a real one is wired in
    settings: Settings
    clock: Clock = utc_now

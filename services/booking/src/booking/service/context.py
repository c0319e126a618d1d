"""What booking's use cases work with, built once by the app factory."""

from dataclasses import dataclass

from booking.adapters.holds import SeatHolds
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.idempotency import IdempotencyKeys
from booking.store.shows import ShowStore
from tickethub.db import UnitOfWork
from tickethub.kernel import Clock, utc_now


@dataclass(frozen=True, slots=True)
class BookingContext:
    uow: UnitOfWork
    bookings: BookingStore
    shows: ShowStore
    idempotency_keys: IdempotencyKeys
    holds: SeatHolds
    settings: Settings
    clock: Clock = utc_now

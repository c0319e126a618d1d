"""What notification's use cases work with, built once by the app factory."""

from dataclasses import dataclass

from notification.adapters.mailer import Mailer
from notification.settings import Settings
from notification.store.notifications import NotificationStore
from tickethub.db import UnitOfWork
from tickethub.kernel import Clock, utc_now


@dataclass(frozen=True, slots=True)
class NotificationContext:
    uow: UnitOfWork
    notifications: NotificationStore
    mailer: Mailer
    settings: Settings
    clock: Clock = utc_now

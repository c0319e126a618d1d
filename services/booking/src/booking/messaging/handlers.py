"""Kafka subscriptions of booking: thin adapters from events to saga steps."""

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker

from booking.messaging.reconciliation import HoldReconciliation
from booking.messaging.saga import BookingSaga, HoldChange, show_cancelled_reason
from booking.store import idempotency
from booking.store.holds import SeatHolds
from tickethub.contracts import (
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    PAYMENT_SUCCEEDED,
    SHOW_CANCELLED,
    SHOW_PUBLISHED,
    PaymentFailed,
    PaymentRefunded,
    PaymentSucceeded,
    ShowCancelled,
    ShowPublished,
    consumed_by,
)
from tickethub.inbox import handle_once
from tickethub.messaging import subscribe
from tickethub.telemetry import untraced
from tickethub.web.lifespans import background_task

GROUP = "booking"
CONSUMED = consumed_by(GROUP)
_log = logging.getLogger("booking.messaging")


def register_handlers(broker: KafkaBroker, saga: BookingSaga, holds: SeatHolds) -> None:
    engine = saga.store.engine

    @subscribe(broker, SHOW_PUBLISHED, group=GROUP)
    @handle_once(engine, "booking.show-published")
    async def on_show_published(event: ShowPublished) -> None:
        await saga.store.save_show(event)

    @subscribe(broker, SHOW_CANCELLED, group=GROUP)
    async def on_show_cancelled(event: ShowCancelled) -> None:
        # No inbox row: the work spans one transaction per batch, and one row committed with the first
        # batch would make a redelivery after a crash skip the rest. Every step is guarded instead
        # (only PENDING or CONFIRMED bookings are cancelled), so a redelivery finds nothing to change.
        # The read model is marked first and committed on its own: from then on the confirm guard
        # refuses the show's bookings, and the batches that follow see every booking made before.
        await saga.store.mark_show_cancelled(event.show_id, event.revision)
        reason = show_cancelled_reason(event.reason)
        while changes := await saga.cancel_show_batch(event.show_id, reason):
            for change in changes:
                await change.apply(holds)

    @handle_once(engine, "booking.payment-succeeded")
    async def confirm(event: PaymentSucceeded) -> HoldChange | None:
        return await saga.payment_succeeded(event.booking_id)

    @subscribe(broker, PAYMENT_SUCCEEDED, group=GROUP)
    async def on_payment_succeeded(event: PaymentSucceeded) -> None:
        if change := await confirm(event):
            await change.apply(holds)

    @handle_once(engine, "booking.payment-failed")
    async def cancel(event: PaymentFailed) -> HoldChange | None:
        return await saga.payment_failed(event.booking_id, event.reason)

    @subscribe(broker, PAYMENT_FAILED, group=GROUP)
    async def on_payment_failed(event: PaymentFailed) -> None:
        if change := await cancel(event):
            await change.apply(holds)

    @subscribe(broker, PAYMENT_REFUNDED, group=GROUP)
    @handle_once(engine, "booking.payment-refunded")
    async def on_payment_refunded(event: PaymentRefunded) -> None:
        await saga.payment_refunded(event.booking_id)


def sweeper_lifespan(
    saga: BookingSaga, holds: SeatHolds, interval_seconds: float, *, idempotency_keys_kept: timedelta
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Expires stalled holds every `interval_seconds` (0: the operator's per-show timer does it),
    re-releases the Redis keys of bookings that ended, and forgets Idempotency-Keys past their
    retention."""

    async def sweep_forever() -> None:
        reconciliation = HoldReconciliation(saga.store, holds, now=datetime.now(UTC))
        while interval_seconds > 0:
            try:
                with untraced():  # an expiry is reported by its event; the polling is no trace
                    for change in await saga.sweep():
                        await change.apply(holds)
                    await reconciliation.run_once()
                    await idempotency.forget_older_than(idempotency_keys_kept)
            except Exception:  # the database may be briefly away; the next round catches up
                _log.exception("hold sweep failed")
            await asyncio.sleep(interval_seconds)

    return background_task("hold-sweeper", sweep_forever)

"""The kopf handlers of `tickethub.io/v1` Shows: thin adapters between the resource and the services.

Each reads the Show, calls catalog or booking through `ShowServices`, and writes what came of it to
the Show's status (phase, seats, conditions) and as Kubernetes events. The rules live in `reconcile`,
`conditions` and `admission`, which know nothing of kopf.

kopf applies a handler's `patch` even when the handler raises, so a failing handler writes its
condition into `patch` (see `status`) and then raises to have kopf retry it, or give up.
"""

import random
import time
from collections.abc import Mapping
from typing import Any

import kopf

from show_operator import admission
from show_operator.clients import BOOKING, CATALOG, ShowServices
from show_operator.conditions import CATALOG_SYNCED, READY, Condition, find, is_true, with_conditions
from show_operator.errors import ServiceError, ServiceRejected, ServiceUnavailable
from show_operator.model import SeatCounts
from show_operator.reconcile import (
    Phase,
    catalog_request,
    changed_fields,
    readiness,
    show_phase,
    starts_at,
)
from show_operator.settings import Settings
from show_operator.startup import configure_kopf, login
from show_operator.status import (
    conditions_of,
    generation_of,
    not_synced,
    write_phase,
    write_status,
    write_synced,
)
from tickethub.kernel import utc_now

SHOWS = ("tickethub.io", "v1", "shows")
WEBHOOK_ID = "validate-show"  # kopf serves this handler at the path /validate-show
WITHDRAWAL_REASON = "The show was withdrawn."
BOOKING_UNAVAILABLE = "BookingUnavailable"
_RETRY_DELAY_CAP_SECONDS = 60.0
_SETTLING_POLL_SECONDS = 2.0
_LAYOUT_TIMEOUT_SECONDS = 2.0  # the webhook answers well within the apiserver's patience, catalog or not
_CATALOG_CANCELLED_AT = "catalog_cancelled_at"  # memo key: when catalog accepted the cancel (monotonic)


def retry_delay(retry: int) -> float:
    """Seconds before attempt `retry + 2`: doubling from 1 s, capped at a minute."""
    return min(2.0**retry, _RETRY_DELAY_CAP_SECONDS)


class ShowHandlers:
    def __init__(self, settings: Settings, services: ShowServices) -> None:
        self.settings = settings
        self.services = services

    async def schedule(
        self,
        *,
        body: kopf.Body,
        spec: kopf.Spec,
        patch: kopf.Patch,
        reason: str,
        retry: int,
        logger: kopf.Logger,
        **_: Any,
    ) -> None:
        """Upserts the show in catalog under the resource's uid (on create, resume and spec updates)."""
        now, starts = utc_now(), starts_at(spec)
        if reason == kopf.Reason.RESUME and now >= starts and is_true(conditions_of(body), CATALOG_SYNCED):
            logger.info("The show has started and was in sync; catalog refuses changes to it now.")
            return
        try:
            show = await self.services.upsert_show(body.metadata.uid, catalog_request(spec))
        except ServiceRejected as error:
            message = f"catalog refused the show: {error.explanation}"
            write_phase(body, patch, Phase.REJECTED, *not_synced("CatalogRejected", message), now=now)
            kopf.warn(body, reason="CatalogRejected", message=message)
            raise kopf.PermanentError(message) from error
        except ServiceUnavailable as error:
            attempt, attempts = retry + 1, self.settings.sync_attempts
            phase = Phase(body.status.get("phase", Phase.PENDING))
            if phase is Phase.REJECTED:  # a refusal of an earlier spec: catalog has yet to judge this one
                phase = Phase.PENDING
            if attempt >= attempts:
                message = f"gave up after {attempts} attempts, until the spec changes or a restart: {error}"
                write_phase(body, patch, phase, *not_synced("RetriesExhausted", message), now=now)
                kopf.warn(body, reason="RetriesExhausted", message=message)
                raise kopf.PermanentError(message) from error
            message = f"attempt {attempt} of {attempts} failed, retrying: {error}"
            write_phase(body, patch, phase, *not_synced("CatalogUnavailable", message), now=now)
            kopf.warn(body, reason="CatalogUnavailable", message=message)
            raise kopf.TemporaryError(message, delay=retry_delay(retry)) from error
        write_synced(body, patch, show, starts=starts, now=now)
        done = "scheduled" if show.created else "updated" if reason == kopf.Reason.UPDATE else "in sync"
        kopf.info(body, reason="CatalogSynced", message=f"show {done} in catalog (revision {show.revision})")
        if show.theatre_id != spec["theatreId"]:
            message = f"hall {spec['hallId']} belongs to theatre {show.theatre_id}, not {spec['theatreId']}"
            kopf.warn(body, reason="TheatreMismatch", message=message)

    async def refresh_seats(self, *, body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
        """A timer: sweeps the show's expired holds in booking and reports its seats when they change."""
        status = body.status
        show_id = status.get("catalogShowId")
        if body.metadata.deletion_timestamp or not show_id:
            return
        seats: SeatCounts | None = None
        try:
            sweep = await self.services.sweep(show_id)
        except ServiceError as error:
            # 404: booking has not heard of the show yet; anything else: seats and phase stay as last seen.
            if _not_found(error):
                ready = readiness(Phase.PENDING, None)
            else:
                ready = Condition(READY, False, BOOKING_UNAVAILABLE, str(error))
        else:
            seats = sweep.seats
            if sweep.expired:
                kopf.info(body, reason="HoldsExpired", message=f"{sweep.expired} unpaid booking(s) expired")
            ready = readiness(_phase_with(body, seats), seats)
        desired: dict[str, Any] = {} if seats is None else {"seats": seats.as_status()}
        conditions = conditions_of(body)
        generation, now = generation_of(body), utc_now()
        ready_changed = False
        if is_true(conditions, CATALOG_SYNCED):  # otherwise the failed sync speaks for phase and Ready
            if ready.reason != BOOKING_UNAVAILABLE:
                desired["phase"] = str(_phase_with(body, seats))
            ready_changed = with_conditions(conditions, [ready], generation=generation, now=now) != conditions
        changes = changed_fields(status, desired)
        if not changes and not ready_changed:
            return
        write_status(body, patch, changes, [ready] if ready_changed else [], now=now)
        was_unavailable = (find(conditions, READY) or {}).get("reason") == BOOKING_UNAVAILABLE
        if ready.reason == BOOKING_UNAVAILABLE and not was_unavailable:
            kopf.warn(body, reason=BOOKING_UNAVAILABLE, message=ready.message)

    async def withdraw(
        self, *, body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, retry: int, **_: Any
    ) -> None:
        """On deletion: cancels in catalog, then keeps the finalizer until booking has let every seat go."""
        if body.status.get("phase") != Phase.CANCELLING:
            cancelling = Condition(READY, False, "Cancelling", "withdrawing the show")
            write_phase(body, patch, Phase.CANCELLING, cancelling, now=utc_now())
            kopf.info(body, reason="Cancelling", message="withdrawing the show from catalog")
        if _CATALOG_CANCELLED_AT not in memo:
            try:
                await self.services.cancel_show(body.metadata.uid, WITHDRAWAL_REASON)
            except ServiceError as error:
                if _not_found(error):
                    message = "catalog never had the show: nothing to cancel"
                    kopf.info(body, reason="NotInCatalog", message=message)
                    return
                if isinstance(error, ServiceRejected) and error.status == 409:
                    message = f"catalog keeps its record of the show: {error.explanation}"
                    kopf.warn(body, reason="CatalogRecordKept", message=message)
                    return
                # The Show stays until catalog has cancelled it, so no booking outlives it unnoticed.
                kopf.warn(body, reason=_failure_reason(CATALOG, error), message=str(error))
                raise kopf.TemporaryError(str(error), delay=retry_delay(retry)) from error
            memo[_CATALOG_CANCELLED_AT] = time.monotonic()
            message = "show cancelled in catalog; booking cancels and refunds its bookings"
            kopf.info(body, reason="CatalogCancelled", message=message)
        await self._await_settled_bookings(body, patch, memo, retry)

    async def _await_settled_bookings(
        self, body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, retry: int
    ) -> None:
        try:
            sweep = await self.services.sweep(body.metadata.uid)
        except ServiceError as error:
            if _not_found(error):
                kopf.info(body, reason="BookingsSettled", message="booking never had the show")
                return
            kopf.warn(body, reason=_failure_reason(BOOKING, error), message=str(error))
            raise kopf.TemporaryError(str(error), delay=retry_delay(retry)) from error
        seats = sweep.seats
        if seats.settled:
            message = "every booking of the show is cancelled or refunded"
            kopf.info(body, reason="BookingsSettled", message=message)
            return
        write_status(body, patch, {"seats": seats.as_status()}, now=utc_now())
        waited = time.monotonic() - float(memo[_CATALOG_CANCELLED_AT])
        left = f"{seats.held} held and {seats.sold} sold seat(s) left"
        if waited >= self.settings.withdrawal_wait_seconds:
            kopf.warn(body, reason="WithdrawalTimedOut", message=f"let go after {waited:.0f} s with {left}")
            return
        raise kopf.TemporaryError(f"waiting for booking: {left}", delay=_SETTLING_POLL_SECONDS)

    async def validate(self, *, spec: kopf.Spec, warnings: list[str], **kwargs: Any) -> None:
        """The validating admission webhook: a start in the future, and prices that fit the hall."""
        # kopf passes these too, though its handler protocol does not name them.
        operation: str = kwargs["operation"]
        old: Mapping[str, Any] | None = kwargs.get("old")
        old_spec = None if old is None else old.get("spec")
        problem = admission.start_time_problem(
            operation=operation, spec=spec, old_spec=old_spec, now=utc_now()
        )
        if problem:
            raise kopf.AdmissionError(problem, code=422)
        if not admission.prices_changed(operation=operation, spec=spec, old_spec=old_spec):
            return
        try:
            categories = await self.services.hall_categories(
                spec["hallId"], wait_seconds=_LAYOUT_TIMEOUT_SECONDS
            )
        except ServiceRejected as error:
            raise kopf.AdmissionError(f"hall {spec['hallId']}: {error.explanation}", code=422) from error
        except ServiceUnavailable:
            # Fail open: catalog checks the prices again when the operator schedules the show.
            warnings.append("catalog did not answer in time: the prices were not checked against the hall")
            return
        problem = admission.price_problem(spec["prices"], categories)
        if problem:
            raise kopf.AdmissionError(problem, code=422)


def _phase_with(body: kopf.Body, seats: SeatCounts | None) -> Phase:
    return show_phase(starts=starts_at(body.spec), now=utc_now(), seats=seats)


def _not_found(error: ServiceError) -> bool:
    return isinstance(error, ServiceRejected) and error.status == 404


def _failure_reason(service: str, error: ServiceError) -> str:
    outcome = "Rejected" if isinstance(error, ServiceRejected) else "Unavailable"
    return f"{service.capitalize()}{outcome}"


def build_registry(settings: Settings, services: ShowServices) -> kopf.OperatorRegistry:
    """Every handler of the operator on a registry of its own; the webhook only when it is served."""
    registry = kopf.OperatorRegistry()
    shows = ShowHandlers(settings, services)

    def configure(*, settings: kopf.OperatorSettings, **_: Any) -> None:
        configure_kopf(settings, shows.settings)

    def first_sweep_delay(**_: Any) -> float:
        # Spread the Shows' timers over the interval instead of sweeping them all at once.
        return random.uniform(0, settings.sweep_interval_seconds)  # noqa: S311 - not a secret

    kopf.on.startup(registry=registry, id="configure")(configure)
    kopf.on.login(registry=registry, id="login")(login)
    attempts = settings.sync_attempts
    kopf.on.create(*SHOWS, registry=registry, id="schedule", retries=attempts)(shows.schedule)
    kopf.on.resume(*SHOWS, registry=registry, id="schedule", retries=attempts)(shows.schedule)
    kopf.on.update(*SHOWS, registry=registry, id="schedule", field="spec", retries=attempts)(shows.schedule)
    kopf.timer(
        *SHOWS,
        registry=registry,
        id="refresh-seats",
        interval=settings.sweep_interval_seconds,
        initial_delay=first_sweep_delay,
    )(shows.refresh_seats)
    kopf.on.delete(*SHOWS, registry=registry, id="withdraw")(shows.withdraw)
    if settings.webhook_enabled:
        operations: list[kopf.Operation] = ["CREATE", "UPDATE"]
        kopf.on.validate(*SHOWS, registry=registry, id=WEBHOOK_ID, operations=operations)(shows.validate)
    return registry

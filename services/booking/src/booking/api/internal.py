"""Cluster-internal endpoints of booking, for the Kubernetes operator: never public.

The public path table (entrypoint and Ingress) routes no `/internal` path, so only callers inside the
cluster reach these, and each still needs a SERVICE or ADMIN token.
"""

from dataclasses import dataclass

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from booking.api.dto import SeatCountsOut, ShowSweep
from booking.domain.errors import UnknownShow
from booking.messaging.saga import BookingSaga
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds
from tickethub.auth import ADMIN, SERVICE, requires_role
from tickethub.web.errors import problem_responses


@dataclass(frozen=True, slots=True)
class ShowSweeper:
    """Expires one show's overdue holds the way the built-in sweeper does, then counts its seats."""

    store: BookingStore
    saga: BookingSaga
    holds: SeatHolds

    async def sweep(self, show_id: str) -> ShowSweep:
        show = await self.store.load_show(show_id)
        if show is None:
            raise UnknownShow(show_id)
        expired = 0
        # Batch after batch until none is overdue: each expiry is committed (with its BookingExpired)
        # before its Redis holds are released, as in the built-in sweep.
        while changes := await self.saga.sweep(show_id=show_id):
            for change in changes:
                await change.apply(self.holds)
            expired += len(changes)
        counts = await self.store.seat_counts(show)
        return ShowSweep(show_id=show_id, expired=expired, seats=SeatCountsOut.of(counts))


class ShowSweepController(Controller):
    path = "/internal/shows"
    tags = ["internal"]
    guards = [requires_role(SERVICE, ADMIN)]

    @post(
        "/{show_id:str}/sweep",
        status_code=200,
        summary="Expire a show's overdue holds and count its seats (cluster-internal)",
        description=(
            "Needs a SERVICE or ADMIN token; not routed by the public entrypoint or the Ingress. Expires "
            "every PENDING booking of the show whose hold has run out, exactly as the built-in sweeper "
            "(`BOOKING_SWEEP_INTERVAL_SECONDS`) does: its seats are freed and `BookingExpired` tells the "
            "buyer. Answers how many it expired and the show's seats: `held` by bookings whose hold is "
            "still running, `sold` to confirmed ones, `available` the rest. 404 until booking has "
            "received the show from catalog."
        ),
        responses=problem_responses(401, 403, UnknownShow),
    )
    async def sweep(self, show_id: FromPath[str], sweeper: NamedDependency[ShowSweeper]) -> ShowSweep:
        return await sweeper.sweep(show_id)

"""Cluster-internal endpoints of booking, for the Kubernetes operator: never public.

The public path table (entrypoint and Ingress) routes no `/internal` path, so only callers inside the
cluster reach these, and each still needs a SERVICE or ADMIN token.
"""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from booking.api.dto import SeatCountsOut, ShowSweep
from booking.domain.errors import UnknownShow
from booking.service.context import BookingContext
from booking.service.sweeping import sweep_show
from tickethub.auth import ADMIN, SERVICE, requires_role
from tickethub.web.errors import problem_responses


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
    async def sweep(self, show_id: FromPath[str], context: NamedDependency[BookingContext]) -> ShowSweep:
        swept = await sweep_show(context, show_id)
        return ShowSweep(show_id=swept.show_id, expired=swept.expired, seats=SeatCountsOut.of(swept.seats))

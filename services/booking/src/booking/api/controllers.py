"""HTTP endpoints of booking: create and read bookings, and a show's seat map."""

import re
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from opentelemetry import trace

from booking.api.dto import BookingPage, BookingRequest, BookingResponse, SeatMap, SeatState
from booking.domain.errors import SeatsTaken, ShowNotBookable, UnknownBooking, UnknownShow
from booking.domain.model import SeatStatus, select_seats
from booking.settings import Settings
from booking.store.bookings import BookingStore
from booking.store.holds import SeatHolds
from tickethub.auth import Identity
from tickethub.web.app import PUBLIC
from tickethub.web.errors import problem_responses
from tickethub.web.pagination import Limit, Offset

_UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


def _now() -> datetime:
    return datetime.now(UTC)


class BookingController(Controller):
    path = "/bookings"
    tags = ["bookings"]

    @post(
        "/",
        status_code=202,
        summary="Hold seats and start the booking saga",
        responses=problem_responses(400, 401, 422, UnknownShow, SeatsTaken, ShowNotBookable),
        description=(
            "Holds every requested seat (all or none) for the show's hold time, records the booking "
            "as PENDING and asks payment to charge it. 409 with `takenSeats` if any seat is taken."
        ),
    )
    async def create(
        self,
        request: Request[Identity, Any, Any],
        data: JSONBody[BookingRequest],
        store: NamedDependency[BookingStore],
        holds: NamedDependency[SeatHolds],
        settings: NamedDependency[Settings],
    ) -> BookingResponse:
        identity = request.user
        show = await store.load_show(data.show_id)
        if show is None:
            raise UnknownShow(data.show_id)
        now = _now()
        selection = select_seats(show, data.seats, now=now, max_seats=settings.max_seats_per_booking)
        booking_id = str(uuid4())  # also the owner token of its holds
        trace.get_current_span().set_attribute("tickethub.booking.id", booking_id)
        taken = await holds.hold(show.show_id, selection.seats, booking_id, show.hold_seconds)
        if taken:
            raise SeatsTaken(taken)
        try:
            await store.create_pending(
                booking_id=booking_id,
                user_id=identity.subject,
                user_email=identity.email or "",
                show_id=show.show_id,
                selection=selection,
                currency=settings.currency,
                payment_token=data.payment_token,
                now=now,
            )
        except BaseException:
            await holds.release(show.show_id, selection.seats, booking_id)
            raise
        return BookingResponse(
            id=booking_id,
            status="PENDING",
            show_id=show.show_id,
            seats=list(selection.seats),
            amount=selection.amount,
            currency=settings.currency,
            hold_expires_at=selection.hold_expires_at,
            created_at=now,
        )

    @get("/", summary="The caller's bookings, newest first", responses=problem_responses(401, 422))
    async def list_mine(
        self,
        request: Request[Identity, Any, Any],
        store: NamedDependency[BookingStore],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> BookingPage:
        records, total = await store.list_for_user(request.user.subject, limit=limit, offset=offset)
        return BookingPage(
            items=[BookingResponse.of(r) for r in records], total=total, limit=limit, offset=offset
        )

    @get(
        "/{booking_id:str}",
        summary="One of the caller's bookings",
        responses=problem_responses(401, UnknownBooking),
    )
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        booking_id: FromPath[str],
        store: NamedDependency[BookingStore],
    ) -> BookingResponse:
        record = await store.get(booking_id) if _UUID.match(booking_id) else None
        if record is None or record.user_id != request.user.subject:
            raise UnknownBooking(booking_id)  # someone else's booking is indistinguishable from none
        return BookingResponse.of(record)

    @get(
        "/show/{show_id:str}",
        summary="Seat map of a show with each seat's status and price",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=problem_responses(UnknownShow),
    )
    async def seat_map(self, show_id: FromPath[str], store: NamedDependency[BookingStore]) -> SeatMap:
        show = await store.load_show(show_id)
        if show is None:
            raise UnknownShow(show_id)
        taken = await store.seat_statuses(show_id)
        return SeatMap(
            show_id=show_id,
            seats=[
                SeatState(
                    id=seat,
                    category=category,
                    price=show.prices[category],
                    status=taken.get(seat, SeatStatus.AVAILABLE),
                )
                for seat, category in show.seat_categories.items()
            ],
        )

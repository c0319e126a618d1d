"""HTTP endpoints of booking: create, read and cancel bookings, and a show's seat map."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from booking.api.dto import BookingPage, BookingRequest, BookingResponse, SeatMap, SeatState
from booking.domain.errors import (
    BookingNotCancellable,
    HoldLimitReached,
    IdempotencyKeyReused,
    IdempotentRequestInProgress,
    SeatsTaken,
    ShowNotBookable,
    UnknownBooking,
    UnknownShow,
)
from booking.domain.idempotency import KEY_PATTERN
from booking.service import cancelling, placing, reading
from booking.service.context import BookingContext
from tickethub.auth import Identity
from tickethub.web.app import PUBLIC
from tickethub.web.errors import problem_responses
from tickethub.web.pagination import Limit, Offset


class BookingController(Controller):
    path = "/bookings"
    tags = ["bookings"]

    @post(
        "/",
        status_code=202,
        summary="Hold seats and start the booking saga",
        responses=problem_responses(
            400,
            401,
            422,
            UnknownShow,
            SeatsTaken,
            ShowNotBookable,
            HoldLimitReached,
            IdempotencyKeyReused,
            IdempotentRequestInProgress,
        ),
        description=(
            "Holds every requested seat (all or none) for the show's hold time, records the booking "
            "as PENDING and asks payment to charge it. 409 with `takenSeats` if any seat is taken; 409 "
            "when the caller would hold more seats of the show at once than allowed. With an "
            "`Idempotency-Key`, repeating the request with the same body answers the first response "
            "(header `Idempotent-Replayed: true`) and books nothing more; the same key with another "
            "body is 422. Keys are remembered for 24 hours; a failed request does not use up its key."
        ),
    )
    async def create(
        self,
        request: Request[Identity, Any, Any],
        data: JSONBody[BookingRequest],
        context: NamedDependency[BookingContext],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                pattern=KEY_PATTERN,
                description="any unique string (e.g. a UUID) the client chooses per booking attempt",
                examples=[Example(value="5f0c4c1e-7c1a-4d8e-9a53-3c2f1f6f9b21")],
            ),
        ] = None,
    ) -> Response[BookingResponse]:
        buyer = placing.Buyer(request.user.subject, request.user.email or "", request.user.name or "")
        order = placing.BookingOrder(data.show_id, data.seats, data.payment_token)
        placement = await placing.place_booking(context, buyer, order, idempotency_key)
        headers = {"Idempotent-Replayed": "true"} if placement.replayed else {}
        return Response(BookingResponse.of(placement.booking), status_code=HTTP_202_ACCEPTED, headers=headers)

    @get("/", summary="The caller's bookings, newest first", responses=problem_responses(401, 422))
    async def list_mine(
        self,
        request: Request[Identity, Any, Any],
        context: NamedDependency[BookingContext],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> BookingPage:
        records, total = await reading.bookings_of(context, request.user.subject, limit=limit, offset=offset)
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
        context: NamedDependency[BookingContext],
    ) -> BookingResponse:
        return BookingResponse.of(await reading.own_booking(context, booking_id, request.user.subject))

    @post(
        "/{booking_id:str}/cancel",
        status_code=202,
        summary="Cancel one of the caller's bookings",
        responses=problem_responses(401, UnknownBooking, BookingNotCancellable),
        description=(
            "A PENDING booking becomes CANCELLED and its seats are free again (should its payment still "
            "go through, it is refunded). A CONFIRMED booking becomes CANCELLED, its seats are free "
            "again and its payment is refunded; it turns REFUNDED once payment reports the refund. "
            "A booking that is CANCELLED or REFUNDED already is answered as it is. 409 for an EXPIRED "
            "booking or once the show has started; someone else's booking is 404 and stays untouched. "
            "The buyer gets one e-mail."
        ),
    )
    async def cancel(
        self,
        request: Request[Identity, Any, Any],
        booking_id: FromPath[str],
        context: NamedDependency[BookingContext],
    ) -> BookingResponse:
        record = await reading.own_booking(context, booking_id, request.user.subject)
        return BookingResponse.of(await cancelling.cancel_booking(context, record))

    @get(
        "/show/{show_id:str}",
        summary="Seat map of a show with each seat's status and price",
        exclude_from_auth=True,
        security=PUBLIC,
        responses=problem_responses(UnknownShow),
    )
    async def seat_map(self, show_id: FromPath[str], context: NamedDependency[BookingContext]) -> SeatMap:
        seats = await reading.seat_map(context, show_id)
        return SeatMap(
            show_id=show_id,
            seats=[
                SeatState(id=s.seat_id, category=s.category, price=s.price, status=s.status) for s in seats
            ],
        )

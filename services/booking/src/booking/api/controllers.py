"""HTTP endpoints of booking: create, read and cancel bookings, and a show's seat map."""

import re
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from booking.api.cancelling import CancellationDesk
from booking.api.dto import BookingPage, BookingRequest, BookingResponse, SeatMap, SeatState
from booking.api.placing import BookingDesk
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
from booking.domain.model import BookingRecord, SeatStatus
from booking.store.bookings import BookingStore
from tickethub.auth import Identity
from tickethub.web.app import PUBLIC
from tickethub.web.errors import problem_responses
from tickethub.web.pagination import Limit, Offset

# The canonical 8-4-4-4-12 form only: any other 36 characters of hex and dashes are no UUID at all.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


async def _own_booking(store: BookingStore, booking_id: str, caller: Identity) -> BookingRecord:
    record = await store.get(booking_id) if _UUID.fullmatch(booking_id) else None
    if record is None or record.user_id != caller.subject:
        raise UnknownBooking(booking_id)  # someone else's booking is indistinguishable from none
    return record


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
        desk: NamedDependency[BookingDesk],
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
        placement = await desk.place(request.user.subject, request.user.email or "", data, idempotency_key)
        headers = {"Idempotent-Replayed": "true"} if placement.replayed else {}
        return Response(placement.response, status_code=HTTP_202_ACCEPTED, headers=headers)

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
        return BookingResponse.of(await _own_booking(store, booking_id, request.user))

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
        store: NamedDependency[BookingStore],
        cancellations: NamedDependency[CancellationDesk],
    ) -> BookingResponse:
        record = await _own_booking(store, booking_id, request.user)
        return BookingResponse.of(await cancellations.cancel(record))

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

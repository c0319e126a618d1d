"""Every booking and payment endpoint through the entrypoint: success shape and each failure that applies.

test_bad_input.py already covers POST /bookings with a malformed body, an unknown show UUID, seats
that do not exist, bad tokens of every kind, and reading someone else's booking; this module does not
repeat those.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from system import (
    BAD_PAGES,
    GARBAGE_IDS,
    UNKNOWN_IDS,
    Api,
    bearer,
    expect_invalid,
    expect_problem,
    expect_unauthenticated,
)
from tickethub.stack.local import Stack

pytestmark = pytest.mark.e2e

BOOKING_FIELDS = {"id", "status", "showId", "seats", "amount", "currency", "holdExpiresAt", "createdAt"}
PAYMENT_FIELDS = {"id", "bookingId", "amount", "currency", "status", "reason", "createdAt", "refundedAt"}


@pytest.fixture(scope="module")
async def show(api: Api) -> dict[str, Any]:
    """Rows A (STANDARD, 250.00) and B (PREMIUM, 400.00) of 10 seats each."""
    return await api.create_show()


@dataclass(frozen=True)
class History:
    """Confirmed bookings of two users on the module's show, oldest first."""

    buyer: str  # token
    stranger: str  # token
    buyers_bookings: list[dict[str, Any]]
    strangers_booking: dict[str, Any]


async def confirmed_booking(api: Api, token: str, show: dict[str, Any], seats: list[str]) -> dict[str, Any]:
    response = await api.book(token, show["id"], seats)
    assert response.status_code == 202, response.text
    return await api.wait_for_status(token, response.json()["id"], "CONFIRMED")


@pytest.fixture(scope="module")
async def history(api: Api, show: dict[str, Any]) -> History:
    _, buyer = await api.user_token()
    _, stranger = await api.user_token()
    first = await confirmed_booking(api, buyer, show, ["A1"])
    second = await confirmed_booking(api, buyer, show, ["B1", "B2"])
    return History(buyer, stranger, [first, second], await confirmed_booking(api, stranger, show, ["A2"]))


# -- POST /bookings -----------------------------------------------------------------------------------


async def test_post_booking_holds_the_seats(api: Api, show: dict[str, Any], user: dict[str, str]) -> None:
    response = await api.http.post(
        "/bookings", json={"showId": show["id"], "seats": ["A5", "B5"]}, headers=user
    )

    assert response.status_code == 202, response.text
    booking = response.json()
    assert set(booking) == BOOKING_FIELDS
    assert (booking["status"], booking["showId"], booking["seats"]) == ("PENDING", show["id"], ["A5", "B5"])
    assert (booking["amount"], booking["currency"]) == ("650.00", "INR")
    created_at = datetime.fromisoformat(booking["createdAt"])
    hold_expires_at = datetime.fromisoformat(booking["holdExpiresAt"])
    assert hold_expires_at - created_at == timedelta(seconds=show["holdSeconds"])
    assert abs(datetime.now(UTC) - created_at) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"paymentToken": "t" * 129}, "paymentToken", id="payment-token-too-long"),
        pytest.param({"seats": ["A" * 17]}, "seats[0]", id="seat-id-too-long"),
        pytest.param({"seats": [f"A{n}" for n in range(101)]}, "seats", id="too-many-seats"),
        pytest.param({"seats": ["A3", "A3"]}, "seats", id="duplicate-seats"),
    ],
)
async def test_post_booking_names_the_invalid_field(
    api: Api, show: dict[str, Any], user: dict[str, str], changes: dict[str, Any], field: str
) -> None:
    before = (await api.http.get("/bookings", headers=user)).json()["total"]
    body = {"showId": show["id"], "seats": ["A3"], **changes}

    expect_invalid(await api.http.post("/bookings", json=body, headers=user), field)

    assert (await api.http.get("/bookings", headers=user)).json()["total"] == before
    assert (await api.seat_map(show["id"]))["A3"] == "AVAILABLE"


@pytest.mark.parametrize("show_id", GARBAGE_IDS)
async def test_post_booking_of_a_garbage_show_id_is_404(api: Api, user: dict[str, str], show_id: str) -> None:
    before = (await api.http.get("/bookings", headers=user)).json()["total"]

    expect_problem(
        await api.http.post("/bookings", json={"showId": show_id, "seats": ["A1"]}, headers=user), 404
    )

    assert (await api.http.get("/bookings", headers=user)).json()["total"] == before


# -- GET /bookings ------------------------------------------------------------------------------------


async def test_get_bookings_lists_only_the_callers_newest_first(api: Api, history: History) -> None:
    mine = await api.http.get("/bookings", headers=bearer(history.buyer))
    theirs = await api.http.get("/bookings", headers=bearer(history.stranger))

    assert mine.status_code == theirs.status_code == 200
    assert mine.json() == {"items": history.buyers_bookings[::-1], "total": 2, "limit": 50, "offset": 0}
    assert history.strangers_booking in theirs.json()["items"]
    assert not {b["id"] for b in theirs.json()["items"]} & {b["id"] for b in history.buyers_bookings}


@pytest.mark.parametrize(("offset", "expected"), [(0, [1]), (1, [0]), (2, []), (10, [])])
async def test_get_bookings_pages(api: Api, history: History, offset: int, expected: list[int]) -> None:
    response = await api.http.get(
        "/bookings", params={"limit": 1, "offset": offset}, headers=bearer(history.buyer)
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": [history.buyers_bookings[index] for index in expected],
        "total": 2,
        "limit": 1,
        "offset": offset,
    }


# -- GET /bookings/{id} -------------------------------------------------------------------------------


async def test_get_booking_by_id(api: Api, history: History) -> None:
    booking = history.buyers_bookings[1]

    response = await api.http.get(f"/bookings/{booking['id']}", headers=bearer(history.buyer))

    assert response.status_code == 200, response.text
    assert set(response.json()) == BOOKING_FIELDS
    assert response.json() == booking
    assert (booking["status"], booking["seats"], booking["amount"]) == ("CONFIRMED", ["B1", "B2"], "800.00")


@pytest.mark.parametrize("booking_id", UNKNOWN_IDS)
async def test_get_booking_of_an_unknown_id_is_404(api: Api, user: dict[str, str], booking_id: str) -> None:
    expect_problem(await api.http.get(f"/bookings/{booking_id}", headers=user), 404)


# -- POST /bookings/{id}/cancel -----------------------------------------------------------------------


async def test_cancel_booking_frees_its_seats_and_refunds_it(api: Api, show: dict[str, Any]) -> None:
    _, token = await api.user_token()
    booking = await confirmed_booking(api, token, show, ["A7"])

    response = await api.http.post(f"/bookings/{booking['id']}/cancel", headers=bearer(token))

    assert response.status_code == 202, response.text
    assert response.json() == {**booking, "status": "CANCELLED"}
    assert (await api.seat_map(show["id"]))["A7"] == "AVAILABLE"
    await api.wait_for_status(token, booking["id"], "REFUNDED")
    [payment] = (await api.http.get("/payments", headers=bearer(token))).json()["items"]
    assert (payment["bookingId"], payment["status"]) == (booking["id"], "REFUNDED")
    assert payment["refundedAt"] is not None
    again = await api.http.post(f"/bookings/{booking['id']}/cancel", headers=bearer(token))
    assert again.status_code == 202, again.text
    assert again.json() == {**booking, "status": "REFUNDED"}  # answered as it is


async def test_cancel_someone_elses_booking_is_404_and_leaves_it(api: Api, history: History) -> None:
    booking = history.buyers_bookings[0]

    response = await api.http.post(f"/bookings/{booking['id']}/cancel", headers=bearer(history.stranger))

    expect_problem(response, 404)
    mine = await api.http.get(f"/bookings/{booking['id']}", headers=bearer(history.buyer))
    assert mine.json()["status"] == "CONFIRMED"


@pytest.mark.parametrize("booking_id", UNKNOWN_IDS)
async def test_cancel_booking_of_an_unknown_id_is_404(
    api: Api, user: dict[str, str], booking_id: str
) -> None:
    expect_problem(await api.http.post(f"/bookings/{booking_id}/cancel", headers=user), 404)


# -- GET /bookings/show/{showId} ----------------------------------------------------------------------


async def test_seat_map_shows_available_held_and_sold_seats_with_prices(
    api: Api, stack: Stack, show: dict[str, Any], history: History
) -> None:
    payment = stack.services["payment"]
    payment.stop()  # nobody charges: the next booking stays PENDING and its seat HELD
    try:
        held = await api.book(history.stranger, show["id"], ["A9"])
        assert held.status_code == 202, held.text

        response = await api.http.get(f"/bookings/show/{show['id']}")
    finally:
        payment.start()
        payment.wait_ready(timeout=60)

    assert response.status_code == 200, response.text
    seat_map = response.json()
    assert seat_map["showId"] == show["id"]
    seats = {seat["id"]: seat for seat in seat_map["seats"]}
    assert len(seats) == 20
    assert seats["A1"] == {"id": "A1", "category": "STANDARD", "price": "250.00", "status": "SOLD"}
    assert seats["B1"] == {"id": "B1", "category": "PREMIUM", "price": "400.00", "status": "SOLD"}
    assert seats["A9"] == {"id": "A9", "category": "STANDARD", "price": "250.00", "status": "HELD"}
    assert seats["B10"] == {"id": "B10", "category": "PREMIUM", "price": "400.00", "status": "AVAILABLE"}
    await api.wait_for_status(history.stranger, held.json()["id"], "CONFIRMED", within=60)


@pytest.mark.parametrize("show_id", UNKNOWN_IDS)
async def test_seat_map_of_an_unknown_show_is_404(api: Api, show_id: str) -> None:
    expect_problem(await api.http.get(f"/bookings/show/{show_id}"), 404)


# -- GET /payments ------------------------------------------------------------------------------------


async def test_get_payments_lists_only_the_callers(api: Api, history: History) -> None:
    mine = await api.http.get("/payments", headers=bearer(history.buyer))

    assert mine.status_code == 200, mine.text
    page = mine.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 20, 0)
    assert all(set(payment) == PAYMENT_FIELDS for payment in page["items"])
    charged = {(p["bookingId"], p["amount"], p["currency"], p["status"]) for p in page["items"]}
    assert charged == {(b["id"], b["amount"], "INR", "CHARGED") for b in history.buyers_bookings}
    theirs = (await api.http.get("/payments", headers=bearer(history.stranger))).json()["items"]
    assert history.strangers_booking["id"] in {p["bookingId"] for p in theirs}
    assert not {p["bookingId"] for p in theirs} & {b["id"] for b in history.buyers_bookings}


async def test_get_payments_past_the_end_is_an_empty_page(api: Api, history: History) -> None:
    response = await api.http.get("/payments", params={"offset": 2}, headers=bearer(history.buyer))

    assert response.json() == {"items": [], "total": 2, "limit": 20, "offset": 2}


# -- Shared checks of the user lists and reads --------------------------------------------------------

NEEDS_A_TOKEN = [
    ("GET", "/bookings"),
    ("GET", "/bookings/{booking}"),
    ("POST", "/bookings/{booking}/cancel"),
    ("GET", "/payments"),
]


@pytest.mark.parametrize(("method", "path"), NEEDS_A_TOKEN, ids=[f"{m} {p}" for m, p in NEEDS_A_TOKEN])
async def test_user_endpoints_without_a_token_are_401(
    api: Api, history: History, method: str, path: str
) -> None:
    booking = history.buyers_bookings[0]

    response = await api.http.request(method, path.format(booking=booking["id"]))

    expect_unauthenticated(response)
    mine = await api.http.get(f"/bookings/{booking['id']}", headers=bearer(history.buyer))
    assert mine.json()["status"] == "CONFIRMED"


@pytest.mark.parametrize("path", ["/bookings", "/payments"])
@pytest.mark.parametrize(("params", "field"), BAD_PAGES)
async def test_user_lists_refuse_out_of_range_paging(
    api: Api, user: dict[str, str], path: str, params: dict[str, int], field: str
) -> None:
    expect_invalid(await api.http.get(path, params=params, headers=user), field, source="query")


# -- The layout of a hall whose show has bookings -----------------------------------------------------


async def test_layout_of_a_hall_whose_show_has_bookings_cannot_change(
    api: Api, show: dict[str, Any], history: History, admin: dict[str, str]
) -> None:
    layout = f"/halls/{show['hallId']}/seats"
    before = (await api.http.get(layout)).json()
    seats_before = await api.seat_map(show["id"])

    response = await api.http.put(
        layout, json={"rows": [{"name": "A", "count": 1, "category": "STANDARD"}]}, headers=admin
    )

    assert show["id"] in expect_problem(response, 409)["showIds"]
    assert (await api.http.get(layout)).json() == before
    assert await api.seat_map(show["id"]) == seats_before

"""The invariants (no seat sold twice, seats conserved, one charge per confirmed booking, no leaked
hold), checked after the runs in the booking and payment databases and Redis.

Each check compares what the clients were told (the ledger of 202 answers) with what the system
stored, so a lost, duplicated or phantom booking, seat, payment or hold shows up as a count.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import asyncpg
from redis.asyncio import Redis

from booking.adapters.holds import seat_key

from api import Api, Booked, Show


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Stores:
    booking_dsn: str
    payment_dsn: str
    redis_url: str


@dataclass(frozen=True, slots=True)
class ShowState:
    """Everything stored about one show, read once."""

    bookings: dict[str, asyncpg.Record]  # id -> (status, amount, live)
    seats: list[asyncpg.Record]  # booking_id, seat_id, status
    payments: list[asyncpg.Record]  # booking_id, status, amount
    redis: dict[str, str]  # seat -> value
    seat_map: dict[str, str]  # seat -> AVAILABLE/HELD/SOLD, as the API shows it
    catalog_seat_count: int


async def active_seat_index(stores: Stores) -> Check:
    connection = await asyncpg.connect(stores.booking_dsn)
    try:
        definition = await connection.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'booking_seats_active_seat'"
        )
    finally:
        await connection.close()
    ok = bool(definition) and "UNIQUE" in definition and "WHERE" in definition
    return Check("I1 partial unique index on active seats exists", ok, definition or "missing")


async def read_show(stores: Stores, api: Api, show: Show, ledger_ids: Sequence[str]) -> ShowState:
    booking_db = await asyncpg.connect(stores.booking_dsn)
    try:
        rows = await booking_db.fetch(
            "SELECT id::text AS id, status, amount, hold_expires_at > now() AS live "
            "FROM bookings WHERE show_id = $1",
            show.id,
        )
        seats = await booking_db.fetch(
            "SELECT booking_id::text AS booking_id, seat_id, status FROM booking_seats WHERE show_id = $1",
            show.id,
        )
    finally:
        await booking_db.close()
    bookings = {row["id"]: row for row in rows}
    payment_db = await asyncpg.connect(stores.payment_dsn)
    try:
        payments = await payment_db.fetch(
            "SELECT booking_id, status, amount FROM payments WHERE booking_id = ANY($1::varchar[])",
            sorted({*bookings, *ledger_ids}),
        )
    finally:
        await payment_db.close()
    return ShowState(
        bookings=bookings,
        seats=seats,
        payments=payments,
        redis=await _redis_seats(stores.redis_url, show.id),
        seat_map=await api.seat_map(show.id),
        catalog_seat_count=int((await api.catalog_show(show.id))["seatCount"]),
    )


async def _redis_seats(url: str, show_id: str) -> dict[str, str]:
    prefix = seat_key(show_id, "")
    redis = Redis.from_url(url, decode_responses=True)
    try:
        keys = [key async for key in redis.scan_iter(match=prefix + "*", count=1000)]
        values: list[str | None] = []
        for start in range(0, len(keys), 1000):
            values.extend(cast(list[str | None], await redis.mget(keys[start : start + 1000])))
    finally:
        await redis.aclose()
    return {key[len(prefix) :]: value for key, value in zip(keys, values, strict=True) if value is not None}


def check_show(
    label: str,
    show: Show,
    state: ShowState,
    ledger: Mapping[str, Booked],
    *,
    seen_confirmed: set[str],
    expect_sold_out: bool,
) -> list[Check]:
    told = {booking_id: b for booking_id, b in ledger.items() if b.show_id == show.id}
    checks = [
        _no_double_booking(state),
        _every_accepted_booking_ended(state, told),
        _no_phantom_booking(state, told),
        _confirmed_stays_confirmed(state, told, seen_confirmed),
        _confirmed_bookings_own_their_seats(state, told),
        _no_stale_hold_in_postgres(state),
        _seats_conserved(show, state),
        _money_balances(state),
        _no_leaked_redis_hold(state),
    ]
    if expect_sold_out:
        sold = Counter(state.seat_map.values())["SOLD"]
        checks.append(Check("sold out: every seat SOLD", sold == show.capacity, f"{sold}/{show.capacity}"))
    return [Check(f"{label}: {check.name}", check.ok, check.detail) for check in checks]


def _active(state: ShowState) -> list[asyncpg.Record]:
    return [row for row in state.seats if row["status"] in ("HELD", "SOLD")]


def _no_double_booking(state: ShowState) -> Check:
    twice = {seat: n for seat, n in Counter(r["seat_id"] for r in _active(state)).items() if n > 1}
    return Check(
        "I1 no seat HELD/SOLD twice", not twice, f"{len(_active(state))} active rows, {len(twice)} doubled"
    )


def _every_accepted_booking_ended(state: ShowState, told: Mapping[str, Booked]) -> Check:
    statuses = Counter(state.bookings[i]["status"] if i in state.bookings else "MISSING" for i in told)
    bad = statuses["MISSING"] + statuses["PENDING"]
    detail = ", ".join(f"{status} {n}" for status, n in sorted(statuses.items())) or "none"
    return Check(
        "I7 every 202 reached a terminal state (none lost)", bad == 0, f"{len(told)} accepted: {detail}"
    )


def _no_phantom_booking(state: ShowState, told: Mapping[str, Booked]) -> Check:
    unknown = set(state.bookings) - set(told)
    return Check(
        "no booking the clients were not told about (409s created nothing)",
        not unknown,
        f"{len(state.bookings)} stored, {len(unknown)} without a 202",
    )


def _confirmed_stays_confirmed(state: ShowState, told: Mapping[str, Booked], seen: set[str]) -> Check:
    mine = [i for i in seen if i in told]
    reverted = [i for i in mine if i not in state.bookings or state.bookings[i]["status"] != "CONFIRMED"]
    return Check(
        "I2 seen CONFIRMED stays CONFIRMED", not reverted, f"{len(mine)} seen, {len(reverted)} changed"
    )


def _confirmed_bookings_own_their_seats(state: ShowState, told: Mapping[str, Booked]) -> Check:
    sold_by: dict[str, set[str]] = {}
    for row in state.seats:
        if row["status"] == "SOLD":
            sold_by.setdefault(row["booking_id"], set()).add(row["seat_id"])
    confirmed = {i for i, row in state.bookings.items() if row["status"] == "CONFIRMED"}
    wrong_seats = [i for i in confirmed if i in told and sold_by.get(i, set()) != set(told[i].seats)]
    wrong_amount = [i for i in confirmed if i in told and state.bookings[i]["amount"] != told[i].amount]
    sold_unconfirmed = [i for i in sold_by if i not in confirmed]
    bad = len(wrong_seats) + len(wrong_amount) + len(sold_unconfirmed)
    return Check(
        "CONFIRMED bookings own exactly their seats (SOLD) at the quoted amount",
        bad == 0,
        f"{len(confirmed)} confirmed; seats differ {len(wrong_seats)}, amount differs {len(wrong_amount)}, "
        f"SOLD rows of unconfirmed bookings {len(sold_unconfirmed)}",
    )


def _no_stale_hold_in_postgres(state: ShowState) -> Check:
    def live_pending(booking_id: str) -> bool:
        row = state.bookings.get(booking_id)
        return row is not None and row["status"] == "PENDING" and bool(row["live"])

    held = [r for r in state.seats if r["status"] == "HELD"]
    stale = [r for r in held if not live_pending(r["booking_id"])]
    return Check(
        "I4 every HELD seat belongs to a PENDING booking with a live hold",
        not stale,
        f"{len(held)} held, {len(stale)} stale",
    )


def _seats_conserved(show: Show, state: ShowState) -> Check:
    shown = Counter(state.seat_map.values())
    stored = Counter(r["status"] for r in _active(state))
    unknown = {r["seat_id"] for r in _active(state)} - set(show.seats)
    total = shown["AVAILABLE"] + shown["HELD"] + shown["SOLD"]
    ok = (
        total == show.capacity == state.catalog_seat_count
        and len(state.seat_map) == total
        and (shown["HELD"], shown["SOLD"]) == (stored["HELD"], stored["SOLD"])
        and not unknown
    )
    return Check(
        "I5 available + held + sold = capacity",
        ok,
        f"{shown['AVAILABLE']} + {shown['HELD']} + {shown['SOLD']} = {total}, capacity "
        f"{state.catalog_seat_count} (catalog); stored held {stored['HELD']}, sold {stored['SOLD']}; "
        f"unknown seats {len(unknown)}",
    )


def _money_balances(state: ShowState) -> Check:
    by_booking: dict[str, list[asyncpg.Record]] = {}
    for payment in state.payments:
        by_booking.setdefault(payment["booking_id"], []).append(payment)

    def status(booking_id: str) -> str | None:
        row = state.bookings.get(booking_id)
        return None if row is None else str(row["status"])

    def amount(booking_id: str) -> Decimal:
        return Decimal(state.bookings[booking_id]["amount"])

    confirmed = [i for i in state.bookings if status(i) == "CONFIRMED"]
    unpaid_or_twice = [i for i in confirmed if len(by_booking.get(i, [])) != 1]
    not_charged = [i for i in confirmed if [p["status"] for p in by_booking.get(i, [])] != ["CHARGED"]]
    mismatched = [i for i in confirmed if any(p["amount"] != amount(i) for p in by_booking.get(i, []))]
    charged_unconfirmed = [
        i
        for i, payments in by_booking.items()
        if any(p["status"] == "CHARGED" for p in payments) and status(i) != "CONFIRMED"
    ]
    bad = len(unpaid_or_twice) + len(not_charged) + len(mismatched) + len(charged_unconfirmed)
    return Check(
        "I3 one CHARGED payment per CONFIRMED booking, same amount",
        bad == 0,
        f"{len(state.payments)} payments for {len(confirmed)} confirmed; not exactly one "
        f"{len(unpaid_or_twice)}, not CHARGED {len(not_charged)}, amount differs {len(mismatched)}, "
        f"charged but not confirmed {len(charged_unconfirmed)}",
    )


def _no_leaked_redis_hold(state: ShowState) -> Check:
    rows: dict[tuple[str, str], str] = {(r["seat_id"], r["booking_id"]): r["status"] for r in _active(state)}
    sold_marks = holds = 0
    leaked: list[str] = []
    for seat, value in state.redis.items():
        if value.startswith("sold:") and rows.get((seat, value.removeprefix("sold:"))) == "SOLD":
            sold_marks += 1
        elif rows.get((seat, value)) == "HELD" and state.bookings[value]["status"] == "PENDING":
            holds += 1
        else:
            leaked.append(seat)
    unmarked = sum(1 for status in rows.values() if status == "SOLD") - sold_marks
    return Check(
        "no leaked Redis hold (every key is a SOLD seat's mark or a PENDING booking's hold)",
        not leaked,
        f"{len(state.redis)} keys: {sold_marks} sold marks, {holds} live holds, {len(leaked)} leaked; "
        f"{unmarked} SOLD seats without a mark",
    )

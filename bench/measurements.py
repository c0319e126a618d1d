"""The benchmark's sequence: set up users and shows, run the five measurements, check the invariants."""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from tickethub.stack.local import Stack

import baseline
import invariants
import sellout
from api import Api, Show, layout, session
from harness import LoadResult
from invariants import Stores
from options import Options
from phases import Ledger, book_each_seat, hold_to_confirmed, wait_for_saga
from report import Metric, Report, at_least, at_most, say


@dataclass(frozen=True)
class Shows:
    throughput: Show  # booked seat by seat by the accepted, rejected and confirm measurements
    sellout: Show


async def run_all(stack: Stack, options: Options, report: Report) -> None:
    url = stack.entrypoint.url
    stores = Stores(stack.postgres.dsn("booking"), stack.postgres.dsn("payment"), stack.redis.url)
    ledger: Ledger = {}
    seen_confirmed: set[str] = set()

    async with session(url, 64) as http:
        tokens, shows = await _set_up(Api(http), stack, options)

    say(f"1/5 bare hold path: {options.baseline_requests} x (Lua hold + INSERT) at {options.concurrency}")
    bare = await baseline.measure(
        redis_url=stores.redis_url,
        dsn=stores.booking_dsn,
        requests=options.baseline_requests,
        warmup=options.warmup,
        concurrency=options.concurrency,
        time_limit_s=options.phase_time_limit_s,
    )
    _phase(report, "bare_hold_path", bare, "ok")

    seats = shows.throughput.seats
    warm = seats[: options.warmup]
    measured = seats[options.warmup : options.warmup + options.accepted_requests]
    confirm_start = options.warmup + options.accepted_requests
    confirm_seats = seats[confirm_start : confirm_start + options.confirm_samples]
    async with session(url, options.concurrency) as http:
        api = Api(http)

        async def book(seat_list: Sequence[str]) -> LoadResult:
            return await book_each_seat(
                api,
                shows.throughput,
                tokens,
                seat_list,
                ledger,
                concurrency=options.concurrency,
                time_limit_s=options.phase_time_limit_s,
            )

        say(f"2/5 accepted path: warm-up {len(warm)}, then {len(measured)} POST /bookings")
        await book(warm)
        await _drain(stores, shows.throughput, options, report, "after warm-up")
        accepted = await book(measured)
        _phase(report, "accepted", accepted, "202")
        await _drain(stores, shows.throughput, options, report, "after the accepted path")

        taken = [seat for booking in ledger.values() for seat in booking.seats]
        targets = [taken[i % len(taken)] for i in range(options.rejected_requests)] if taken else []
        say(f"3/5 rejected path: {len(targets)} POST /bookings for taken seats")
        rejected = await book(targets)
        _phase(report, "rejected", rejected, "409")

    say(f"4/5 hold -> CONFIRMED: {len(confirm_seats)} bookings, {options.confirm_concurrency} at a time")
    async with session(url, options.confirm_concurrency) as http:
        confirmed = await hold_to_confirmed(
            Api(http),
            shows.throughput,
            tokens,
            confirm_seats,
            ledger,
            seen_confirmed=seen_confirmed,
            concurrency=options.confirm_concurrency,
            poll_s=options.confirm_poll_ms / 1000,
            timeout_s=options.confirm_timeout_s,
            time_limit_s=options.phase_time_limit_s,
        )
    _phase(report, "hold_to_confirmed", confirmed, "CONFIRMED")
    await _drain(stores, shows.throughput, options, report, "after hold -> CONFIRMED")

    race = await _sell_out(url, shows.sellout, tokens, ledger, options=options, report=report, stores=stores)
    _metrics(report, bare=bare, accepted=accepted, rejected=rejected, confirmed=confirmed, race=race)

    say("checking the invariants in PostgreSQL and Redis")
    report.checks.append(await invariants.active_seat_index(stores))
    async with session(url, 8) as http:
        for label, show, sold_out in (
            ("throughput show", shows.throughput, False),
            ("sell-out show", shows.sellout, True),
        ):
            told = [booking.id for booking in ledger.values() if booking.show_id == show.id]
            state = await invariants.read_show(stores, Api(http), show, told)
            report.checks += invariants.check_show(
                label, show, state, ledger, seen_confirmed=seen_confirmed, expect_sold_out=sold_out
            )


async def _set_up(api: Api, stack: Stack, options: Options) -> tuple[list[str], Shows]:
    say(f"registering {options.users} users (Argon2id hashing: a few seconds)")
    admin = await api.login(stack.admin_email, stack.admin_password)
    tokens = await api.user_tokens(options.users)
    say(f"creating a {options.throughput_rows * 100}-seat show for the hold-path measurements")
    throughput = await api.create_show(admin, layout(options.throughput_rows))
    capacity = options.sellout_rows * options.sellout_seats_per_row
    say(f"creating the {capacity}-seat sell-out show and waiting until booking knows every seat")
    big = await api.create_show(admin, layout(options.sellout_rows, options.sellout_seats_per_row))
    return tokens, Shows(throughput, big)


async def _sell_out(
    url: str,
    show: Show,
    tokens: list[str],
    ledger: Ledger,
    *,
    options: Options,
    report: Report,
    stores: Stores,
) -> sellout.SelloutResult:
    say(
        f"5/5 sell-out: {options.sellout_clients} clients x {options.sellout_seats_per_client} random seats "
        f"of {show.capacity}, over {options.sellout_connections} connections"
    )
    async with session(url, options.sellout_connections) as http:
        race = await sellout.race(
            Api(http),
            show,
            tokens,
            ledger,
            clients=options.sellout_clients,
            seats_per_client=options.sellout_seats_per_client,
            connections=options.sellout_connections,
            time_limit_s=options.phase_time_limit_s,
            rng=random.Random(options.seed),  # noqa: S311  (seat choice, not secrecy)
        )
    said = f"{race.sold_out_s:.1f} s" if race.sold_out_s is not None else "NOT sold out"
    say(f"    {race.seats_sold}/{race.capacity} seats taken: {said}; attempts {race.attempts.counts()}")
    drained = await _drain(stores, show, options, report, "after the sell-out")
    if drained is not None:
        race.all_confirmed_s = race.clients.elapsed_s + drained
    report.phases["sellout"] = {
        "capacity": race.capacity,
        "seats_sold": race.seats_sold,
        "sold_out_s": race.sold_out_s,
        "saga_drained_after_s": drained,
        "all_confirmed_s": race.all_confirmed_s,
        "seat_map_reloads": race.seat_map_reloads,
        "clients": race.clients.summary(),
        "attempts": race.attempts.summary(),
    }
    return race


async def _drain(stores: Stores, show: Show, options: Options, report: Report, when: str) -> float | None:
    waited = await wait_for_saga(stores.booking_dsn, show.id, timeout_s=options.saga_timeout_s)
    report.phases.setdefault("saga_drain_s", {})[when] = waited
    say(
        f"    sagas {when}: " + (f"all ended {waited:.1f} s later" if waited is not None else "STILL PENDING")
    )
    return waited


def _phase(report: Report, name: str, result: LoadResult, label: str) -> None:
    report.phases[name] = result.summary()
    p50, p99 = result.p(50, label), result.p(99, label)
    say(
        f"    {result.count(label)} {label} in {result.elapsed_s:.2f} s = {result.per_second(label):,.0f}/s, "
        f"p50 {p50 or 0:.1f} ms, p99 {p99 or 0:.1f} ms; outcomes {result.counts()}"
    )


def _metrics(
    report: Report,
    *,
    bare: LoadResult,
    accepted: LoadResult,
    rejected: LoadResult,
    confirmed: LoadResult,
    race: sellout.SelloutResult,
) -> None:
    bare_rate, accepted_rate = bare.per_second("ok"), accepted.per_second("202")
    ratio = accepted_rate / bare_rate if bare_rate else None
    sold_out = race.sold_out_s
    unexpected = sum(
        result.count() - result.count(label)
        for result, label in ((accepted, "202"), (rejected, "409"), (confirmed, "CONFIRMED"))
    )
    unexpected += race.attempts.count() - race.attempts.count("202") - race.attempts.count("409")
    m = Metric.of
    report.metrics += [
        m("bare hold path (Lua hold + INSERT)", bare_rate, "ops/s"),
        m("bare hold path p50", bare.p(50, "ok"), "ms"),
        m("bare hold path p99", bare.p(99, "ok"), "ms"),
        m("POST /bookings accepted (202)", accepted_rate, "/s"),
        m("accepted/s / bare hold path ops/s", ratio, "ratio", ">= 0.50", at_least(0.5)),
        m("POST /bookings 202 p50", accepted.p(50, "202"), "ms"),
        m("POST /bookings 202 p99", accepted.p(99, "202"), "ms", "<= 100 ms", at_most(100)),
        m("rejected (409) per second", rejected.per_second("409"), "/s"),
        m("rejected (409) p50", rejected.p(50, "409"), "ms"),
        m("rejected (409) p99", rejected.p(99, "409"), "ms", "<= 20 ms", at_most(20)),
        m("hold -> CONFIRMED p50", confirmed.p(50, "CONFIRMED"), "ms", "<= 200 ms", at_most(200)),
        m("hold -> CONFIRMED p99", confirmed.p(99, "CONFIRMED"), "ms", "<= 1000 ms", at_most(1000)),
        m(f"sell-out of {race.capacity} seats", sold_out, "s", "<= 10 s", at_most(10)),
        m(
            "sell-out bookings accepted per second",
            race.attempts.count("202") / sold_out if sold_out else None,
            "/s",
        ),
        m("sell-out POST /bookings p99", race.attempts.p(99, "202"), "ms"),
        m("sell-out 409 answers (collisions)", race.attempts.count("409"), ""),
        m("sell-out: every booking CONFIRMED after", race.all_confirmed_s, "s"),
        m("unexpected answers (errors, other statuses)", unexpected, "", "0", at_most(0)),
    ]

"""Command-line options of the benchmark: how many requests each measurement makes, and its limits."""

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

from api import MAX_ROWS, SEATS_PER_ROW


@dataclass(frozen=True)
class Options:
    concurrency: int
    users: int
    baseline_requests: int
    warmup: int
    accepted_requests: int
    rejected_requests: int
    confirm_samples: int
    confirm_concurrency: int
    confirm_poll_ms: float
    confirm_timeout_s: float
    sellout_rows: int
    sellout_seats_per_row: int
    sellout_clients: int
    sellout_seats_per_client: int
    sellout_connections: int
    phase_time_limit_s: float
    saga_timeout_s: float
    seed: int
    json: Path | None
    keep_data: bool

    @property
    def throughput_seats(self) -> int:
        """Seats the accepted and confirm measurements book one by one (plus the warm-up)."""
        return self.warmup + self.accepted_requests + self.confirm_samples

    @property
    def throughput_rows(self) -> int:
        return math.ceil(self.throughput_seats / SEATS_PER_ROW)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Starts the whole system on free loopback ports and measures the performance targets "
        "(README, Benchmark).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--concurrency", type=int, default=64, help="clients of the hold-path measurements")
    add("--users", type=int, default=32, help="registered users whose tokens the clients share")
    add("--baseline-requests", type=int, default=5000, help="bare hold path operations")
    add("--warmup", type=int, default=300, help="unmeasured requests before the bare and API hold paths")
    add("--accepted-requests", type=int, default=3000, help="POST /bookings that should get 202")
    add("--rejected-requests", type=int, default=3000, help="POST /bookings for taken seats (409)")
    add("--confirm-samples", type=int, default=200, help="bookings timed from 202 to CONFIRMED")
    add("--confirm-concurrency", type=int, default=8, help="bookings in flight while timing CONFIRMED")
    add("--confirm-poll-ms", type=float, default=10.0, help="GET /bookings/{id} interval while waiting")
    add("--confirm-timeout", dest="confirm_timeout_s", type=float, default=5.0, help="seconds per sample")
    add("--sellout-rows", type=int, default=100, help=f"rows of the sell-out show (<= {MAX_ROWS})")
    add("--sellout-seats-per-row", type=int, default=100, help=f"seats per row (<= {SEATS_PER_ROW})")
    add("--sellout-clients", type=int, default=5000, help="racing clients, each wanting one booking")
    add("--sellout-seats-per-client", type=int, default=2, help="seats each racing client books")
    add("--sellout-connections", type=int, default=128, help="connections the racing clients share")
    add("--phase-time-limit", dest="phase_time_limit_s", type=float, default=60.0, help="seconds per phase")
    add("--saga-timeout", dest="saga_timeout_s", type=float, default=120.0, help="seconds for sagas to end")
    add("--seed", type=int, default=1, help="seed of the racing clients' seat choices")
    add("--json", type=Path, default=None, help="also write the results as JSON to this path")
    add("--keep-data", action="store_true", help="keep the stack's temporary data and logs")
    options = Options(**vars(parser.parse_args(argv)))
    if options.throughput_rows > MAX_ROWS:
        parser.error(
            f"warm-up + accepted + confirm samples need {options.throughput_seats} seats; "
            f"one show has at most {MAX_ROWS * SEATS_PER_ROW}"
        )
    if min(options.concurrency, options.users, options.confirm_concurrency, options.sellout_connections) < 1:
        parser.error("concurrency, users and connections must be positive")
    return options

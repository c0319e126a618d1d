"""`make bench`: starts the whole system on free ports and measures the performance targets (README,
Benchmark) in one run.

Exit code 0 even when a target is missed (this is a report); 1 when an invariant is violated; 2 when
the run itself breaks.
"""

import asyncio
import os
import shutil
import sys
import tempfile
import traceback
from dataclasses import asdict
from pathlib import Path

from tickethub.stack.local import Ports, Stack

import measurements
from options import Options, parse
from report import Report, say

ENVIRONMENT = {
    "PAYMENT_MOCK_LATENCY_MS": "0",  # the instant mock payment of the hold -> CONFIRMED target
    "PAYMENT_MOCK_FAILURE_RATE": "0",
    "BOOKING_SWEEP_INTERVAL_SECONDS": "1",  # expired holds are swept promptly (I4)
    "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000",  # every client logs in from the one loopback address
    # The clients share a few dozen accounts (Argon2id makes thousands slow to register), so one
    # account stands for hundreds of buyers holding seats at once.
    "BOOKING_MAX_HELD_SEATS_PER_USER": "1000",
}
LOG_TAIL_LINES = 25


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    report = Report(config={k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()})
    report.config["service_environment"] = ENVIRONMENT
    report.phases["load_average_before"] = os.getloadavg()
    state_dir = Path(tempfile.mkdtemp(prefix="tickethub-bench-"))
    stack = Stack(
        state_dir=state_dir,
        ports=Ports.free(),
        persistent=False,
        kubernetes=False,
        demo_catalog=False,
        extra_environment=ENVIRONMENT,
    )
    broke = False
    try:
        say(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work skews the figures)")
        say(f"starting the whole system on free loopback ports (data in {state_dir})")
        stack.up()
        asyncio.run(measurements.run_all(stack, options, report))
    except KeyboardInterrupt:
        say("interrupted")
        broke = True
    except Exception:
        traceback.print_exc()
        _print_log_tails(stack)
        broke = True
    finally:
        say("stopping the system")
        stack.down()
        if options.keep_data or broke:
            say(f"data and logs kept in {state_dir}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)
    return _finish(report, options, broke=broke)


def _finish(report: Report, options: Options, *, broke: bool) -> int:
    report.phases["load_average_after"] = os.getloadavg()
    report.print()
    if options.json is not None:
        report.write_json(options.json)
        say(f"results written to {options.json}")
    if broke:
        say("the run broke before it finished")
        return 2
    if report.violations:
        say(f"{len(report.violations)} invariant(s) violated")
        return 1
    return 0


def _print_log_tails(stack: Stack) -> None:
    for server in stack.all_servers():
        if server.log_file.exists():
            lines = server.log_file.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            print(f"--- last lines of {server.name}'s log ---", *lines, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

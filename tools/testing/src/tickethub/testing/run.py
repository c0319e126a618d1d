"""`make test`: real infrastructure once, then every test suite against it, then tear-down.

Each suite runs in its own pytest process (a service's tables and broker stay private to its tests)
and all of them share one set of servers, started on free ports in a temporary directory. A skipped
test fails the run: nothing counts as passing that did not run.
"""

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from tickethub.testing.browser import ensure_chromium
from tickethub.testing.infra import ENV_VAR, RunningInfrastructure

SUITES = (
    "libs",
    "tools",
    "services/users",
    "services/catalog",
    "services/booking",
    "services/payment",
    "services/notification",
    "tests/architecture",
    "tests/e2e",
    "operator",
    "tests/kubernetes",
    "tests/cluster",
    "tests/chart",
    "tests/images",
)


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, report: Path) -> None:
        root = ET.parse(report).getroot()  # noqa: S314 - pytest's own report, written by this run
        for suite in root.iter("testsuite"):
            tests, failures, errors, skipped = (
                int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")
            )
            self.failed += failures + errors
            self.skipped += skipped
            self.passed += tests - failures - errors - skipped


def main() -> int:
    suites = [s for s in (sys.argv[1:] or SUITES) if Path(s).exists()]
    tally = Tally()
    broken: list[str] = []
    ensure_chromium()  # the browser tests' Chromium, before any suite runs
    with tempfile.TemporaryDirectory(prefix="tickethub-test-") as tmp:
        root = Path(tmp)
        print("[test] starting PostgreSQL, Redis, Kafka, SMTP and Zipkin on free ports", flush=True)
        started = time.monotonic()
        running = RunningInfrastructure(root / "infra")
        try:
            running.start().save(root / "infra.json")
            print(f"[test] infrastructure ready in {time.monotonic() - started:.0f} s", flush=True)
            env = {**os.environ, ENV_VAR: str(root / "infra.json")}
            for suite in suites:
                report = root / (suite.replace("/", "-") + ".xml")
                print(f"[test] {suite}", flush=True)
                code = subprocess.call(
                    [sys.executable, "-m", "pytest", suite, f"--junitxml={report}", "-q"], env=env
                )
                if report.exists():
                    tally.add(report)
                if code not in (0, 5) or not report.exists():  # 5: the suite has no tests yet
                    broken.append(suite)
        finally:
            running.stop()
    print(f"[test] suites with failures: {', '.join(broken)}" if broken else "[test] every suite passed")
    if tally.skipped:
        print(f"[test] {tally.skipped} skipped test(s): a skipped test does not count as passing")
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if broken or tally.failed or tally.skipped or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())

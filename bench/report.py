"""Progress lines, the final table (metric, value, target, PASS/MISS) and the JSON report."""

import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from invariants import Check

_STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[bench] {time.monotonic() - _STARTED:6.1f}s  {message}", flush=True)


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda value: value >= limit


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    value: float | None
    unit: str
    target: str = ""  # empty: reported for context, no target
    passed: bool | None = None

    @classmethod
    def of(
        cls,
        name: str,
        value: float | None,
        unit: str,
        target: str = "",
        meets: Callable[[float], bool] | None = None,
    ) -> "Metric":
        passed = None if meets is None else (value is not None and meets(value))
        return cls(name, value, unit, target, passed)

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: ""}[self.passed]


@dataclass
class Report:
    config: dict[str, Any]
    metrics: list[Metric] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    phases: dict[str, Any] = field(default_factory=dict)

    @property
    def violations(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def print(self) -> None:
        rows = [("metric", "value", "target", "")] + [
            (m.name, _format(m.value, m.unit), m.target, m.verdict) for m in self.metrics
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        line = "-" * (sum(widths) + 6)
        print(line)
        for index, row in enumerate(rows):
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                print(line)
        print(line)
        print(f"invariants: {len(self.checks) - len(self.violations)}/{len(self.checks)} hold")
        for check in self.checks:
            print(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")

    def write_json(self, path: Path) -> None:
        document = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.system(),
            },
            "config": self.config,
            "metrics": [asdict(m) | {"verdict": m.verdict} for m in self.metrics],
            "invariants": [asdict(c) for c in self.checks],
            "invariants_hold": not self.violations,
            "phases": self.phases,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":
        return f"{value:.2f}"
    if not unit:
        return f"{value:,.0f}"
    digits = 0 if abs(value) >= 100 else 1
    return f"{value:,.{digits}f} {unit}"

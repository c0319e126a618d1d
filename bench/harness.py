"""The load driver every measurement shares: N operations run by C workers, timed on the client side."""

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Timed:
    """An outcome that carries its own latency, for operations that time only part of their work."""

    label: str
    ms: float


Operation = Callable[[int], Awaitable[str | Timed]]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class LoadResult:
    """Latencies grouped by outcome label (an HTTP status, "ok", "error:<type>", ...)."""

    concurrency: int
    elapsed_s: float = 0.0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)

    def record(self, label: str, ms: float) -> None:
        self.latencies_ms.setdefault(label, []).append(ms)

    def count(self, label: str | None = None) -> int:
        if label is None:
            return sum(len(values) for values in self.latencies_ms.values())
        return len(self.latencies_ms.get(label, []))

    def per_second(self, label: str) -> float:
        return self.count(label) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def p(self, q: float, label: str) -> float | None:
        return percentile(self.latencies_ms.get(label, []), q)

    def counts(self) -> dict[str, int]:
        return {label: len(values) for label, values in sorted(self.latencies_ms.items())}

    def summary(self) -> dict[str, Any]:
        """Counts, rates and p50/p99 per outcome, for the JSON report."""
        return {
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 3),
            "outcomes": {
                label: {
                    "count": len(values),
                    "per_second": round(self.per_second(label), 1),
                    "p50_ms": _round(percentile(values, 50)),
                    "p99_ms": _round(percentile(values, 99)),
                    "max_ms": _round(max(values)),
                }
                for label, values in sorted(self.latencies_ms.items())
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def drive(op: Operation, *, requests: int, concurrency: int, time_limit_s: float) -> LoadResult:
    """Runs op(0)..op(requests-1) on `concurrency` workers; no new operation starts after the limit."""
    result = LoadResult(concurrency)
    counter = itertools.count()
    start = time.perf_counter()
    stop_at = start + time_limit_s

    async def worker() -> None:
        while (index := next(counter)) < requests and time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                outcome = await op(index)
            except Exception as exc:  # one failed request is a data point, not the end of the run
                outcome = f"error:{type(exc).__name__}"
            if isinstance(outcome, Timed):
                result.record(outcome.label, outcome.ms)
            else:
                result.record(outcome, (time.perf_counter() - began) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - start
    return result

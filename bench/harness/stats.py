"""Figures: nearest-rank percentiles, a measured request type, and ratios to the bare view.

Every figure a benchmark prints is computed here, so the scripts agree on what "p95" or
"ratio" means: latencies are in seconds and shown in milliseconds (nearest rank, NaN
when there is none); a ratio is the page's rps over the bare view's rps in the same run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def percentile_ms(values: list[float], q: float) -> float:
    """Nearest-rank percentile q (0-100) of latencies in seconds, in milliseconds; NaN
    when there is none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def rounded(value: float | None, digits: int) -> float | None:
    """round(), keeping None (unknown) and turning NaN into None (JSON has no NaN)."""
    if value is None or math.isnan(value):
        return None
    return round(value, digits)


def add_sample(samples: list[str], sample: str, limit: int = 5) -> None:
    """Keep the first ``limit`` distinct error samples."""
    if len(samples) < limit and sample not in samples:
        samples.append(sample)


@dataclass
class Measurement:
    """A path under load for a bounded time: counts, latencies (s), CPU use, and the rps of
    each slice when the time was split into rounds (see merge)."""

    name: str
    path: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)
    server_cpu_seconds: float | None = None
    client_cpu_seconds: float = 0.0
    slice_rps: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        return percentile_ms(self.latencies, q)

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        """CPU time of the gunicorn workers per request: hardly moved by other load."""
        if self.server_cpu_seconds is None or not self.requests:
            return None
        return 1000 * self.server_cpu_seconds / self.requests

    @property
    def server_cpu_percent(self) -> float | None:
        if self.server_cpu_seconds is None or not self.seconds:
            return None
        return 100 * self.server_cpu_seconds / self.seconds

    @property
    def client_cpu_percent(self) -> float:
        return 100 * self.client_cpu_seconds / self.seconds if self.seconds else 0.0

    def add(self, latencies: list[float], errors: int, samples: list[str]) -> None:
        """Add one client thread's requests (its latencies, errors and error samples)."""
        self.latencies.extend(latencies)
        self.requests += len(latencies)
        self.errors += errors
        for sample in samples:
            add_sample(self.error_samples, sample)

    def merge(self, part: Measurement) -> None:
        """Add a slice measured later (same path) to this total."""
        if not self.slice_rps:
            self.server_cpu_seconds = part.server_cpu_seconds
        elif self.server_cpu_seconds is not None and part.server_cpu_seconds is not None:
            self.server_cpu_seconds += part.server_cpu_seconds
        else:
            self.server_cpu_seconds = None  # a worker restarted: unknown
        self.requests += part.requests
        self.errors += part.errors
        self.seconds += part.seconds
        self.latencies.extend(part.latencies)
        for sample in part.error_samples:
            add_sample(self.error_samples, sample)
        self.client_cpu_seconds += part.client_cpu_seconds
        self.slice_rps.append(part.rps)

    def failure(self) -> str:
        """The problem line of a measurement with failed requests."""
        return f"{self.name}: {self.errors} failed requests, e.g. {self.error_samples}"

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "slice_rps": [round(rps, 1) for rps in self.slice_rps],
            "p50_ms": round(self.percentile_ms(50), 2),
            "p95_ms": round(self.percentile_ms(95), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
            "server_cpu_ms_per_request": rounded(self.server_cpu_ms_per_request, 3),
            "server_cpu_percent": rounded(self.server_cpu_percent, 1),
            "client_cpu_percent": round(self.client_cpu_percent, 1),
            "error_samples": self.error_samples,
        }


# --- Against the bare view --------------------------------------------------------------------
def ratio(page: Measurement, bare: Measurement) -> float:
    """page rps / bare rps, measured in the same run (NaN without bare requests)."""
    return page.rps / bare.rps if bare.rps else math.nan


def cpu_ratio(page: Measurement, bare: Measurement) -> float | None:
    """bare CPU ms per request / page CPU ms per request: the same ratio seen from the
    workers' CPU time, which other processes on the machine hardly move."""
    page_ms, bare_ms = page.server_cpu_ms_per_request, bare.server_cpu_ms_per_request
    if not page_ms or bare_ms is None:
        return None
    return bare_ms / page_ms


def slice_ratios(page: Measurement, bare: Measurement) -> list[float]:
    """page rps / bare rps of each round: their spread shows how noisy the run was."""
    return [p / b if b else math.nan for p, b in zip(page.slice_rps, bare.slice_rps, strict=False)]


@dataclass(frozen=True)
class Verdict:
    """A measured request against the bare view and its budget (the lowest acceptable
    ratio): the line to print, the problem (None within budget), the JSON fields."""

    line: str
    problem: str | None
    fields: dict


def judge(
    page: Measurement, bare: Measurement, budget: float, *, digits: int = 3, extra: str = ""
) -> Verdict:
    """``name: X rps / bare Y rps = R (rounds A-B; by worker CPU C; budget >= D) ok`` (or
    FAR OFF BUDGET), with ``extra`` appended; figures with ``digits`` decimals (the JSON
    with one more)."""
    r = ratio(page, bare)
    by_cpu = cpu_ratio(page, bare)
    spread = slice_ratios(page, bare)
    d = digits
    verdict = "ok" if r >= budget else "FAR OFF BUDGET"
    line = (
        f"{page.name}: {page.rps:.1f} rps / bare {bare.rps:.1f} rps = {r:.{d}f} "
        f"(rounds {min(spread, default=math.nan):.{d}f}-{max(spread, default=math.nan):.{d}f}"
        f"{'' if by_cpu is None else f'; by worker CPU {by_cpu:.{d}f}'}; "
        f"budget >= {budget:.{d}f}) {verdict}{extra}"
    )
    problem = None
    if not r >= budget:
        problem = f"{page.name}: ratio {r:.{d}f} is below its budget {budget:.{d}f}"
    fields = {
        "ratio": rounded(r, d + 1),
        "slice_ratios": [round(x, d + 1) for x in spread],
        "cpu_ratio": rounded(by_cpu, d + 1),
        "min_ratio": budget,
    }
    return Verdict(line, problem, fields)

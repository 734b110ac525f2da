"""Running the trainees, and the figures: requests, errors by kind, latency per request type."""

from __future__ import annotations

import math
import threading
import time
from urllib.parse import urlsplit

from bench.harness.site import run_django, run_django_with_file
from bench.harness.stats import percentile_ms

from .client import Client, Recorder, RequestRecord
from .trainee import Ledger, Trainee


def prepare_trainees(stack, kind: str, *, trainees: int, workers: int) -> tuple[int, dict]:
    """On a started stack (bench.harness.stack.open_stack): print it, make the trainees
    (bench/loadsim/setup.py) and warm every gunicorn worker up. Returns the port and the
    setup's description of the site."""
    port = urlsplit(stack.base_url).port
    print(f"stack: {kind} at {stack.base_url}, pids {stack.pids}")
    site = run_django(stack.env, "bench.loadsim.setup", "--trainees", str(trainees))
    warm_up(port, site, workers=workers)
    return port, site


def run_trainees(
    *,
    port: int,
    site: dict,
    count: int,
    seconds: float,
    think: float,
    recorder: Recorder,
    ledger: Ledger,
    seed: int,
    ramp: float = 2.0,
    timeout: float = 30.0,
) -> tuple[float, float, list[Trainee]]:
    """Run ``count`` trainees (one thread each) for ``seconds``; return (start, end, trainees).

    Starts are spread over ``ramp`` seconds. No request starts after the deadline; those in
    flight finish (each within ``timeout``).
    """
    emails = site["trainees"][:count]
    if len(emails) < count:
        raise ValueError(f"only {len(emails)} trainees were prepared, {count} asked for")
    start = time.monotonic()
    deadline = start + seconds
    trainees = [
        Trainee(
            number=n,
            email=email,
            password=site["password"],
            site=site,
            client=Client(
                port, recorder, timeout=timeout, client_address=f"10.0.{n // 250}.{n % 250 + 1}"
            ),
            ledger=ledger,
            deadline=deadline,
            think=think,
            seed=seed * 1000 + n,
        )
        for n, email in enumerate(emails, start=1)
    ]

    def run(trainee: Trainee, delay: float) -> None:
        time.sleep(delay)
        trainee.run()

    threads = [
        threading.Thread(target=run, args=(t, ramp * i / max(count, 1)), daemon=True)
        for i, t in enumerate(trainees)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, deadline + timeout + 5 - time.monotonic()))
    end = time.monotonic()
    return start, end, trainees


def warm_up(port: int, site: dict, *, rounds: int = 3, workers: int = 4) -> None:
    """A few anonymous pages from as many connections as there are gunicorn workers, not
    counted: every worker has imported the application and filled its caches before the
    clock starts (the first request of a worker costs seconds on this machine)."""
    paths = ["/healthz/", "/", site["login_path"], site["course"]["path"]]

    def fetch_all() -> None:
        client = Client(port, Recorder(), timeout=60)
        for _ in range(rounds):
            for path in paths:
                try:
                    client.get("warm-up", path)
                except Exception:  # best effort: the load itself reports errors
                    pass
        client.close()

    threads = [threading.Thread(target=fetch_all, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def summarize(records: list[RequestRecord], start: float, end: float) -> dict:
    seconds = max(end - start, 1e-9)
    kinds: dict[str, list[RequestRecord]] = {}
    for record in records:
        kinds.setdefault(record.kind, []).append(record)
    per_kind = {}
    for kind, items in sorted(kinds.items()):
        answered = [r.seconds for r in items if r.status is not None]
        per_kind[kind] = {
            "requests": len(items),
            "errors": sum(1 for r in items if r.error),
            "p50_ms": round(percentile_ms(answered, 50), 1),
            "p95_ms": round(percentile_ms(answered, 95), 1),
            "p99_ms": round(percentile_ms(answered, 99), 1),
            "max_ms": round(max(answered) * 1000, 1) if answered else math.nan,
        }
    errors: dict[str, int] = {}
    samples: list[str] = []
    for record in records:
        if record.error:
            key = f"{record.error} on {record.kind}"
            errors[key] = errors.get(key, 0) + 1
            line = f"{record.method} {record.path}: {record.error} {record.detail}".strip()
            if len(samples) < 10 and line not in samples:
                samples.append(line)
    answered = [r.seconds for r in records if r.status is not None]
    return {
        "seconds": round(seconds, 2),
        "requests": len(records),
        "errors": sum(errors.values()),
        "throughput_rps": round(len(records) / seconds, 1),
        "p50_ms": round(percentile_ms(answered, 50), 1),
        "p95_ms": round(percentile_ms(answered, 95), 1),
        "p99_ms": round(percentile_ms(answered, 99), 1),
        "errors_by_kind": dict(sorted(errors.items(), key=lambda kv: -kv[1])),
        "error_samples": samples,
        "per_kind": per_kind,
    }


def print_summary(summary: dict, title: str) -> None:
    print(f"\n== {title} ==")
    print(
        f"requests {summary['requests']}  errors {summary['errors']}  "
        f"in {summary['seconds']} s  throughput {summary['throughput_rps']} req/s  "
        f"p50 {summary['p50_ms']} ms  p95 {summary['p95_ms']} ms  p99 {summary['p99_ms']} ms"
    )
    header = f"{'request type':<18}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}"
    print(header + f"{'p99 ms':>9}{'max ms':>9}")
    for kind, row in summary["per_kind"].items():
        print(
            f"{kind:<18}{row['requests']:>9}{row['errors']:>7}{row['p50_ms']:>9.1f}"
            f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}"
        )
    if summary["errors_by_kind"]:
        print("errors by kind:")
        for key, n in summary["errors_by_kind"].items():
            print(f"  {n:>6}  {key}")
        print("first errors:")
        for line in summary["error_samples"]:
            print(f"  {line}")


def verify_ledger(env: dict[str, str], ledger: Ledger, *args: str) -> dict:
    """bench/loadsim/verify.py with the stack's environment, on what the server confirmed:
    {"problems": [...], "figures": {"ledger", "database", "tasks"}}."""
    return run_django_with_file(env, "bench.loadsim.verify", "--ledger", ledger.as_dict(), *args)


def print_check(ledger: Ledger, check: dict) -> dict[str, int]:
    """What the server confirmed and what the database check found; returns the counts."""
    counts = ledger.as_dict()["counts"]
    print("confirmed by the server: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    figures = check["figures"]
    print(f"checked in the database: {figures['ledger']}")
    print(f"database: {figures['database']}")
    print(f"tasks: {figures['tasks']}")
    return counts

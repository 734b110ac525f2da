#!/usr/bin/env python
"""Load test: simulated trainees against gunicorn on PostgreSQL, then the database checked.

    .venv/bin/python bench/load.py [--trainees 50] [--seconds 60] [--think 1.0]

Starts the production-like stack on 127.0.0.1 (ops.prodlocal when present, else gunicorn
and the task worker started here; a fresh database ``rpa_load``, migrated and seeded), makes
``--trainees`` trainees enrolled in the demo course (bench/loadsim/setup.py) and runs them
at once for ``--seconds``: each logs in through the login form, browses, reads lessons and
marks them complete, takes quizzes (start, answer, submit) and logs fieldwork (draft, then
submit) with a pause of 0..2×``--think`` seconds between requests (bench/loadsim/trainee.py);
they arrive (log in) over the first ``--ramp`` seconds.

Afterwards bench/loadsim/verify.py checks in the database that every answer, completion and
entry that got a success response is there as sent, that nothing is half-written, and that
the worker sent every supervisor e-mail. Prints requests, errors by kind, p50/p95/p99 per
request type and the throughput; writes bench/results/load-<time>.json.

Exit status: 0 no error and nothing missing; 1 a request failed or the database check found
a problem (or the worker died); 2 the test could not run (stack, setup); 3 the hard time limit
(``--timeout``) was reached. Every process started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, run_django
from bench.loadsim.client import Recorder
from bench.loadsim.report import print_summary, run_trainees, summarize, warm_up
from bench.loadsim.stack import open_stack, pid_alive
from bench.loadsim.trainee import Ledger

RESULTS_DIR = ROOT / "bench" / "results"


class HardTimeout(BaseException):
    """The whole run took longer than --timeout."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--trainees", type=int, default=50, help="simulated trainees at once (default 50)")
    add("--seconds", type=float, default=60.0, help="duration of the load (default 60)")
    add("--think", type=float, default=5.0, help="mean pause between requests, s (default 5)")
    add("--ramp", type=float, default=10.0, help="trainees arrive over this many s (10)")
    add("--port", type=int, default=8791, help="gunicorn's port on 127.0.0.1 (default 8791)")
    add("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    add("--database", default="rpa_load", help="PostgreSQL database, recreated (rpa_load)")
    add("--own-stack", action="store_true", help="start gunicorn here even if ops exists")
    add(
        "--trust-proxy",
        action="store_true",
        help="own stack, allauth trusting X-Forwarded-For (bench/loadsim/settings.py)",
    )
    add("--seed", type=int, default=1, help="random seed of the trainees' choices")
    add("--timeout", type=float, default=900.0, help="hard limit of the whole run, s (900)")
    add("--output", type=Path, help="JSON results (default bench/results/load-<time>.json)")
    return parser.parse_args(argv)


def _alarm(signum, frame):
    raise HardTimeout


def run(args: argparse.Namespace) -> int:
    started_at = datetime.now(UTC)
    with open_stack(
        port=args.port,
        workers=args.workers,
        database=args.database,
        own=args.own_stack,
        trust_proxy=args.trust_proxy,
    ) as (stack, stack_kind):
        port = urlsplit(stack.base_url).port
        print(f"stack: {stack_kind} at {stack.base_url}, pids {stack.pids}")
        site = run_django(stack.env, "bench.loadsim.setup", "--trainees", str(args.trainees))
        print(
            f"setup: {len(site['trainees'])} trainees in {site['course']['title']}: "
            f"{len(site['lessons'])} lessons, {len(site['quizzes'])} quizzes"
        )
        warm_up(port, site, workers=args.workers)
        recorder, ledger = Recorder(), Ledger()
        start, end, trainees = run_trainees(
            port=port,
            site=site,
            count=args.trainees,
            seconds=args.seconds,
            think=args.think,
            recorder=recorder,
            ledger=ledger,
            seed=args.seed,
            ramp=args.ramp,
        )
        records = recorder.snapshot()
        summary = summarize(records, start, end)
        # After the last login answered: the arrival of the class (every login hashes its
        # password with Argon2, which takes the workers' CPU for seconds) is over.
        logins = [r.end for r in records if r.kind == "login" and not r.error]
        settled = min(max(logins, default=start), end - 1)
        steady = summarize(
            [r for r in records if r.start >= settled and not r.kind.startswith("login")],
            settled,
            end,
        )
        worker_alive = pid_alive(stack.pids.get("worker"))
        with tempfile.TemporaryDirectory(prefix="rpa-load-ledger-") as tmp:
            ledger_path = Path(tmp) / "ledger.json"
            ledger_path.write_text(json.dumps(ledger.as_dict(), ensure_ascii=False))
            check = run_django(stack.env, "bench.loadsim.verify", "--ledger", str(ledger_path))
    problems = list(check["problems"])
    if not worker_alive:
        problems.insert(0, "the task worker is not running any more")
    print_summary(summary, f"{args.trainees} trainees, {args.seconds:.0f} s, think {args.think}")
    print_summary(steady, f"after the last login ({settled - start:.0f} s into the load)")
    logged_in = sum(1 for t in trainees if t.steps_done > 0)
    print(f"trainees who logged in: {logged_in} of {args.trainees}")
    counts = ledger.as_dict()["counts"]
    print("confirmed by the server: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    figures = check["figures"]
    print(f"checked in the database: {figures['ledger']}")
    print(f"database: {figures['database']}")
    print(f"tasks: {figures['tasks']}")
    print(f"worker alive after the load: {worker_alive}")
    if problems:
        print(f"DATABASE CHECK: {len(problems)} problems")
        for line in problems[:30]:
            print(f"  {line}")
    else:
        print("DATABASE CHECK: every confirmed answer, completion and entry is there; none partial")
    output = args.output or RESULTS_DIR / f"load-{started_at:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "started_at": started_at.isoformat(),
                "options": {k: str(v) for k, v in vars(args).items()},
                "stack": stack_kind,
                "summary": summary,
                "steady": steady,
                "trainees_logged_in": logged_in,
                "confirmed": counts,
                "check": check,
                "worker_alive": worker_alive,
                "problems": problems,
                "steps_per_trainee": [t.steps_done for t in trainees],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 1 if summary["errors"] or problems else 0


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.alarm(int(args.timeout))
    t0 = time.monotonic()
    try:
        return run(args)
    except HardTimeout:
        print(f"hard time limit: stopped after {time.monotonic() - t0:.0f} s", file=sys.stderr)
        return 3
    except RuntimeError as exc:  # BenchError, ops.prodlocal.ProdLocalError
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())

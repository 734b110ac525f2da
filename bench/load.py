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
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness.cli import (
    add_limit_options,
    add_trainee_options,
    parser_for,
    run_with_hard_limit,
)
from bench.harness.results import results_path, shown, write_results
from bench.harness.server import pid_alive
from bench.harness.stack import open_stack_for
from bench.loadsim.client import Recorder
from bench.loadsim.report import (
    prepare_trainees,
    print_check,
    print_summary,
    run_trainees,
    summarize,
    verify_ledger,
)
from bench.loadsim.trainee import Ledger


def parse_args(argv=None) -> argparse.Namespace:
    parser = parser_for(__doc__)
    add_trainee_options(
        parser, trainees=50, seconds=60.0, think=5.0, port=8791, database="rpa_load"
    )
    add = parser.add_argument
    add("--ramp", type=float, default=10.0, help="trainees arrive over this many s (10)")
    add("--seed", type=int, default=1, help="random seed of the trainees' choices")
    add_limit_options(parser, "load")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    started_at = datetime.now(UTC)
    with open_stack_for(args) as (stack, stack_kind):
        port, site = prepare_trainees(
            stack, stack_kind, trainees=args.trainees, workers=args.workers
        )
        print(
            f"setup: {len(site['trainees'])} trainees in {site['course']['title']}: "
            f"{len(site['lessons'])} lessons, {len(site['quizzes'])} quizzes"
        )
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
        check = verify_ledger(stack.env, ledger)
    problems = list(check["problems"])
    if not worker_alive:
        problems.insert(0, "the task worker is not running any more")
    print_summary(summary, f"{args.trainees} trainees, {args.seconds:.0f} s, think {args.think}")
    print_summary(steady, f"after the last login ({settled - start:.0f} s into the load)")
    logged_in = sum(1 for t in trainees if t.steps_done > 0)
    print(f"trainees who logged in: {logged_in} of {args.trainees}")
    counts = print_check(ledger, check)
    print(f"worker alive after the load: {worker_alive}")
    if problems:
        print(f"DATABASE CHECK: {len(problems)} problems")
        for line in problems[:30]:
            print(f"  {line}")
    else:
        print("DATABASE CHECK: every confirmed answer, completion and entry is there; none partial")
    output = write_results(
        results_path("load", started_at, args.output),
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
        indent=1,
    )
    print(f"results: {shown(output)}")
    return 1 if summary["errors"] or problems else 0


def main(argv=None) -> int:
    return run_with_hard_limit(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

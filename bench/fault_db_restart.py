#!/usr/bin/env python
"""Fault test: PostgreSQL restarted while simulated trainees use the production-like stack.

    .venv/bin/python bench/fault_db_restart.py [--trainees 20] [--seconds 40] [--restart-at 12]
    .venv/bin/python bench/fault_db_restart.py --dry-run     # the same run without the restart

The stack and trainees are those of bench/load.py (a fresh database ``rpa_load_fault``, its
own port). ``--restart-at`` seconds into the load the local cluster is restarted
(``pg_ctlcluster --skip-systemctl-redirect <version> main restart``: every connection is cut,
the server is down for a moment) and the time it accepts connections again is measured by
connecting every 50 ms. Requests are then sorted by when they ran:

- **before** (ended before the restart began) and **after** (started once PostgreSQL
  accepted connections again): every one must succeed. The app servers keep connections
  (``CONN_MAX_AGE``) and check them before use (``CONN_HEALTH_CHECKS``), so a connection
  cut by the restart is replaced, not used;
- **during** (overlapping the outage): may fail; their number and kinds are reported.

Then the database is checked (bench/loadsim/verify.py): whatever was confirmed is there, and
nothing is half-written (an attempt with missing answers or a score that is not the sum of
its answers, a submitted entry without its history event or supervisor link, a supervisor
link without its e-mail task), and the task worker must still be running and have sent the
e-mails. PostgreSQL is started again on the way out if it is not accepting connections.

Exit status: 0 all of the above holds; 1 it does not; 2 the test could not run; 3 the hard
time limit (``--timeout``) was reached.

This restarts the machine's shared PostgreSQL: everyone else's connections are cut too. Run
it rarely, and not while others run PostgreSQL tests they care about.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, BenchError
from bench.harness.cli import (
    add_limit_options,
    add_trainee_options,
    parser_for,
    run_with_hard_limit,
)
from bench.harness.results import results_path, shown, write_results
from bench.harness.server import pid_alive
from bench.harness.stack import open_stack_for, pg_accepts
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
        parser, trainees=20, seconds=40.0, think=0.5, port=8792, database="rpa_load_fault"
    )
    add = parser.add_argument
    add("--restart-at", type=float, default=12.0, help="restart after this many s (12)")
    add("--dry-run", action="store_true", help="everything but the restart")
    add("--seed", type=int, default=2, help="random seed of the trainees' choices")
    add_limit_options(parser, "fault-db")
    return parser.parse_args(argv)


def cluster() -> tuple[str, str]:
    """(version, name) of the local cluster, e.g. ("15", "main")."""
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if p.is_dir())
    if len(versions) != 1:
        raise BenchError(f"expected one PostgreSQL version in /etc/postgresql, found {versions}")
    return versions[0], "main"


def pg_ctl(action: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    version, name = cluster()
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def restart_postgres(t0: float) -> dict:
    """Restart the cluster; return when it began, when pg_ctlcluster returned and when a
    connection succeeded again (seconds since t0), with pg_ctlcluster's output."""
    began = time.monotonic()
    result = pg_ctl("restart")
    returned = time.monotonic()
    deadline = returned + 60
    while not pg_accepts():
        if time.monotonic() > deadline:
            raise BenchError("PostgreSQL did not accept connections 60 s after the restart")
        time.sleep(0.05)
    back = time.monotonic()
    return {
        "began": began - t0,
        "command_returned": returned - t0,
        "back": back - t0,
        "outage_s": round(back - began, 3),
        "returncode": result.returncode,
        "output": (result.stdout + result.stderr).strip()[-500:],
        "_began": began,
        "_back": back,
    }


def ensure_postgres_running() -> None:
    if pg_accepts():
        return
    print("PostgreSQL is not accepting connections: starting it", file=sys.stderr)
    pg_ctl("start")
    for _ in range(200):
        if pg_accepts():
            return
        time.sleep(0.1)
    print("PostgreSQL still not accepting connections", file=sys.stderr)


def phases(records, began: float | None, back: float | None) -> dict:
    """Requests before, during and after the outage, with their errors."""
    result = {
        name: {"requests": 0, "errors": 0, "error_kinds": {}}
        for name in ("before", "during", "after")
    }
    first_ok_after = None
    for record in records:
        if began is None:
            phase = "before"
        elif record.end < began:
            phase = "before"
        elif record.start > back:
            phase = "after"
        else:
            phase = "during"
        row = result[phase]
        row["requests"] += 1
        if record.error:
            row["errors"] += 1
            key = f"{record.error} on {record.kind}"
            row["error_kinds"][key] = row["error_kinds"].get(key, 0) + 1
        elif phase == "after" and (first_ok_after is None or record.end < first_ok_after):
            first_ok_after = record.end
    if first_ok_after is not None and back is not None:
        result["after"]["first_success_s_after_back"] = round(first_ok_after - back, 3)
    return result


def run(args: argparse.Namespace) -> int:
    started_at = datetime.now(UTC)
    if not args.dry_run:
        cluster()  # fail early, before the stack starts
    outage: dict = {}
    with open_stack_for(args) as (stack, stack_kind):
        port, site = prepare_trainees(
            stack, stack_kind, trainees=args.trainees, workers=args.workers
        )
        recorder, ledger = Recorder(), Ledger()
        box: dict = {}

        def load() -> None:
            box["result"] = run_trainees(
                port=port,
                site=site,
                count=args.trainees,
                seconds=args.seconds,
                think=args.think,
                recorder=recorder,
                ledger=ledger,
                seed=args.seed,
            )

        t0 = time.monotonic()
        runner = threading.Thread(target=load, daemon=True)
        runner.start()
        time.sleep(args.restart_at)
        try:
            if args.dry_run:
                print(f"dry run: no restart at {args.restart_at:.0f} s")
            else:
                print(f"restarting PostgreSQL at {time.monotonic() - t0:.1f} s")
                outage = restart_postgres(t0)
                print(
                    f"PostgreSQL back after {outage['outage_s']} s "
                    f"(pg_ctlcluster exit {outage['returncode']})"
                )
        finally:
            ensure_postgres_running()
        runner.join(args.seconds + 60)
        if "result" not in box:
            raise BenchError("the simulated trainees did not finish")
        start, end, trainees = box["result"]
        records = recorder.snapshot()
        worker_alive = pid_alive(stack.pids.get("worker"))
        gunicorn_alive = pid_alive(stack.pids.get("gunicorn"))
        worker_log = stack.log("worker") if hasattr(stack, "log") else ""
        replacement = None
        if not worker_alive:
            # Are the e-mails queued meanwhile lost, or only late? A worker started now
            # (running until the queue is empty) tells.
            print("the task worker died: running a replacement (db_worker --batch)")
            done = subprocess.run(
                [sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*"]
                + ["--no-startup-delay", "--no-reload"],
                cwd=ROOT,
                env=stack.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
            )
            replacement = {"returncode": done.returncode}
        check = verify_ledger(stack.env, ledger, "--wait-tasks=30")
    summary = summarize(records, start, end)
    by_phase = phases(records, outage.get("_began"), outage.get("_back"))
    problems = list(check["problems"])
    if not worker_alive:
        tail = " | ".join(line for line in worker_log.splitlines()[-3:] if line.strip())
        problems.insert(0, f"the task worker is not running after the restart ({tail[-300:]})")
    if not gunicorn_alive:
        problems.insert(0, "gunicorn is not running after the restart")
    for name in ("before", "after"):
        if by_phase[name]["errors"]:
            problems.insert(0, f"{by_phase[name]['errors']} requests failed {name} the outage")
    if not args.dry_run and by_phase["after"]["requests"] - by_phase["after"]["errors"] < 10:
        problems.insert(0, "fewer than 10 successful requests after PostgreSQL came back")

    print_summary(summary, f"{args.trainees} trainees, {args.seconds:.0f} s, restart")
    if outage:
        print(
            f"outage: restart began at {outage['began']:.2f} s, pg_ctlcluster returned at "
            f"{outage['command_returned']:.2f} s, connections accepted at {outage['back']:.2f} s "
            f"({outage['outage_s']} s without PostgreSQL)"
        )
    for name, row in by_phase.items():
        extra = ""
        if "first_success_s_after_back" in row:
            extra = f", first success {row['first_success_s_after_back']} s after it was back"
        print(f"{name:>6}: {row['requests']} requests, {row['errors']} errors{extra}")
        for key, n in row["error_kinds"].items():
            print(f"          {n:>5}  {key}")
    counts = print_check(ledger, check)
    print(f"worker alive: {worker_alive}, gunicorn alive: {gunicorn_alive}")
    if replacement is not None:
        print(f"replacement worker (db_worker --batch) exit status {replacement['returncode']}")
    if problems:
        print(f"FAULT TEST FAILED: {len(problems)} problems")
        for line in problems[:30]:
            print(f"  {line}")
    else:
        print("FAULT TEST PASSED: requests failed only during the outage; nothing half-written")
    output = write_results(
        results_path("fault-db", started_at, args.output),
        {
            "started_at": started_at.isoformat(),
            "options": {k: str(v) for k, v in vars(args).items()},
            "stack": stack_kind,
            "outage": {k: v for k, v in outage.items() if not k.startswith("_")},
            "phases": by_phase,
            "summary": summary,
            "confirmed": counts,
            "check": check,
            "worker_alive": worker_alive,
            "replacement_worker": replacement,
            "problems": problems,
        },
        indent=1,
    )
    print(f"results: {shown(output)}")
    return 1 if problems else 0


def main(argv=None) -> int:
    return run_with_hard_limit(run, parse_args(argv), cleanup=ensure_postgres_running)


if __name__ == "__main__":
    sys.exit(main())

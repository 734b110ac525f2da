"""The options and the ``main`` the benchmark scripts share.

Micro-benchmarks (pages, quiz, gradebook): ``add_load_options`` and
``add_server_options`` add the client's and gunicorn's options; ``run_benchmark`` runs
the script's ``run(args)`` with its exit statuses (0 ok, 1 a figure far off or a request
failed, 2 could not run: BenchError, 130 Ctrl-C) and SIGTERM unwinding through the blocks
that stop gunicorn.

Load and fault tests (load.py, fault_db_restart.py): ``add_trainee_options`` adds the
options of the simulated trainees and their stack; ``run_with_hard_limit`` adds the hard
time limit (exit 3) and treats any RuntimeError (BenchError, ProdLocalError) as 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import BenchError


def parser_for(doc: str | None) -> argparse.ArgumentParser:
    """A parser described by the first paragraph of the script's docstring."""
    return argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])


def add_load_options(
    parser: argparse.ArgumentParser,
    *,
    each: str,
    warmup: float,
    warmup_help: str,
    concurrency: int,
    rounds_help: str,
) -> None:
    """--seconds (10), --warmup, --rounds (5), --concurrency: the client's options.
    ``each`` says what the seconds are of ("per page", "of each side")."""
    add = parser.add_argument
    add("--seconds", type=float, default=10.0, help=f"measured time {each} (default 10)")
    add("--warmup", type=float, default=warmup, help=f"{warmup_help} (default {warmup:g})")
    add("--rounds", type=int, default=5, help=rounds_help)
    add(
        "--concurrency",
        type=int,
        default=concurrency,
        help=f"client threads (default {concurrency})",
    )


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """--workers (2), --worker-class (sync), --threads (1), --port: gunicorn's options."""
    add = parser.add_argument
    add("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    add("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    add("--threads", type=int, default=1, help="gunicorn threads per worker (default 1)")
    add("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")


def add_output_option(parser: argparse.ArgumentParser, benchmark: str) -> None:
    parser.add_argument(
        "--output", type=Path, help=f"JSON file (default: bench/results/{benchmark}-<time>.json)"
    )


def require_positive(parser: argparse.ArgumentParser, args, *names: str) -> None:
    """parser.error unless each option is > 0 (and --warmup, when there is one, >= 0)."""
    for name in names:
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if getattr(args, "warmup", 0) < 0:
        parser.error("--warmup must not be negative")


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through the blocks that stop gunicorn


def run_benchmark(
    run: Callable[[argparse.Namespace], int], args: argparse.Namespace, *, announce: bool = False
) -> int:
    """run(args) with the micro-benchmarks' exit statuses; ``announce`` prints on stderr
    that gunicorn was stopped after Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if announce:
            print("interrupted; gunicorn stopped", file=sys.stderr)
        return 130
    except SystemExit:
        if announce:
            print("terminated; gunicorn stopped", file=sys.stderr)
        raise


# --- Load and fault tests ---------------------------------------------------------------------
def add_trainee_options(
    parser: argparse.ArgumentParser,
    *,
    trainees: int,
    seconds: float,
    think: float,
    port: int,
    database: str,
) -> None:
    """The options load.py and fault_db_restart.py share (their defaults differ). A script
    adds its own (--ramp, --restart-at, --dry-run, --seed) and then add_limit_options.
    bench.harness.stack.open_stack_for takes the stack's from the parsed options."""
    add = parser.add_argument
    add("--trainees", type=int, default=trainees, help=f"simulated trainees (default {trainees})")
    add(
        "--seconds", type=float, default=seconds, help=f"duration of the load (default {seconds:g})"
    )
    add("--think", type=float, default=think, help=f"mean pause between requests, s ({think:g})")
    add("--port", type=int, default=port, help=f"gunicorn's port on 127.0.0.1 (default {port})")
    add("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    add("--database", default=database, help=f"PostgreSQL database, recreated ({database})")
    add("--own-stack", action="store_true", help="start gunicorn here even if ops exists")
    add(
        "--trust-proxy",
        action="store_true",
        help="own stack, allauth trusting X-Forwarded-For (bench/loadsim/settings.py)",
    )


def add_limit_options(parser: argparse.ArgumentParser, benchmark: str) -> None:
    add = parser.add_argument
    add("--timeout", type=float, default=900.0, help="hard limit of the whole run, s (900)")
    add("--output", type=Path, help=f"JSON results (default bench/results/{benchmark}-<time>.json)")


class HardTimeout(BaseException):
    """The whole run took longer than --timeout."""


def _alarm(signum, frame):
    raise HardTimeout


def run_with_hard_limit(
    run: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    *,
    cleanup: Callable[[], None] | None = None,
) -> int:
    """run(args) stopped by SIGALRM after ``args.timeout`` s (exit 3); SIGTERM exits 143
    through the stack's context manager; a RuntimeError is "cannot run" (exit 2).
    ``cleanup`` runs on the way out whatever happened."""
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
        if cleanup is not None:
            cleanup()

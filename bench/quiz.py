#!/usr/bin/env python
"""Quiz submissions per second against a bare Django view, in one run.

    .venv/bin/python bench/quiz.py [--seconds 10] [--attempts 1200] [--concurrency 8]

Serves the app with gunicorn on 127.0.0.1 (production settings, a throw-away seeded
database, as bench/pages.py). Before the load, bench/quiz_setup.py gives each of
``--attempts`` throw-away trainees an answered attempt in progress at the demo lesson quiz
(six questions, six types) and a session. The load then submits them: each request is the
attempt's "submit" form (``POST /quizzes/attempts/<id>/finish/`` with the trainee's
session and CSRF token), which grades the attempt, records pass or fail and, when passed,
completes the lesson; the answer is a redirect (302) to the result page. Every attempt is
submitted once, so the run stops early when they are used up. Bare-view and submission
slices alternate, as in bench/pages.py.

After the load, every attempt answered 302 must be graded, none twice (checked in the
database). Prints requests, errors, rps, p50/p95 latency, the workers' CPU ms per request
(the server time of one request) and the ratio to the bare view; writes the figures to
bench/results/quiz-<time>.json. Exits 1 when the ratio is below its budget or a request
failed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import math
import secrets
import string
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BARE_NAME, BARE_PATH, BenchError
from bench.harness.cli import (
    add_load_options,
    add_output_option,
    add_server_options,
    parser_for,
    require_positive,
    run_benchmark,
)
from bench.harness.http import fetch, request_bytes
from bench.harness.load import BARE, Prepared, drive, interleave, load
from bench.harness.results import header, results_path, shown, write_results
from bench.harness.server import Gunicorn
from bench.harness.site import bench_site, run_django, run_django_with_file
from bench.harness.stats import Measurement, judge

CSRF_ALPHABET = string.ascii_letters + string.digits
SUBMIT_NAME = "quiz-submit"
SUBMIT_PATH = "/quizzes/attempts/<id>/finish/"
# The lowest acceptable submissions rps / bare rps; about half the lowest ratio measured
# on the shared 2-core machine (see bench/README.md, "Quiz submission").
MIN_RATIO = 0.015


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(__doc__)
    add_load_options(
        parser,
        each="of each side",
        warmup=2.0,
        warmup_help="warm-up of each side",
        concurrency=8,
        rounds_help="slices each side's time is cut into (default 5)",
    )
    parser.add_argument(
        "--attempts",
        type=int,
        default=1200,
        help="attempts prepared for submission, each submitted once (default 1200)",
    )
    add_server_options(parser)
    add_output_option(parser, "quiz")
    args = parser.parse_args(argv)
    require_positive(
        parser, args, "seconds", "rounds", "concurrency", "attempts", "workers", "threads"
    )
    return args


# --- Submissions ------------------------------------------------------------------------------
class Submission(NamedTuple):
    """One prepared "submit" form: the attempt, the trainee's cookies, the form body and
    the whole request as bytes."""

    attempt_id: int
    cookie: str
    body: bytes
    request: bytes


class Submissions:
    """The prepared POST requests, each used once, shared by the load threads."""

    def __init__(self, port: int, setup: dict) -> None:
        self.pending: collections.deque[Submission] = collections.deque()
        self.submitted: list[int] = []
        self.lock = threading.Lock()
        for attempt in setup["attempts"]:
            # A CSRF secret (32 letters and digits) in the cookie and, unmasked, in the form.
            token = "".join(secrets.choice(CSRF_ALPHABET) for _ in range(32))
            cookie = (
                f"{setup['session_cookie']}={attempt['session']}; {setup['csrf_cookie']}={token}"
            )
            body = f"csrfmiddlewaretoken={token}".encode("ascii")
            path = finish_path(attempt["id"])
            request = request_bytes(port, path, cookie, method="POST", body=body)
            self.pending.append(Submission(attempt["id"], cookie, body, request))

    def take(self) -> Submission | None:
        try:
            return self.pending.popleft()
        except IndexError:
            return None

    def done(self, attempt_id: int) -> None:
        with self.lock:
            self.submitted.append(attempt_id)

    def source(self, _thread: int) -> Iterator[Prepared]:
        """What each load thread sends: the next prepared submission, until none is left."""
        while (item := self.take()) is not None:
            yield Prepared(
                finish_path(item.attempt_id),
                item.request,
                lambda attempt_id=item.attempt_id: self.done(attempt_id),
            )


def finish_path(attempt_id: int) -> str:
    return f"/quizzes/attempts/{attempt_id}/finish/"


def submit_load(
    server: Gunicorn, submissions: Submissions, *, seconds: float, concurrency: int
) -> Measurement:
    """POST prepared submissions from ``concurrency`` threads until ``seconds`` have
    passed or none is left. A 302 (to the result page) is a success, anything else an
    error. Measured like bench.harness.load.load: in-flight requests are awaited and
    counted."""
    return drive(
        server,
        Measurement(name=SUBMIT_NAME, path=SUBMIT_PATH),
        submissions.source,
        seconds=seconds,
        concurrency=concurrency,
        expect=302,
    )


def check_submission(server: Gunicorn, submissions: Submissions) -> str:
    """Submit one attempt before the load: a 302 to its result page, which then answers 200."""
    item = submissions.take()
    if item is None:
        raise BenchError("no attempt was prepared")
    attempt_id = item.attempt_id
    try:
        status, headers, _body = fetch(
            server.port, finish_path(attempt_id), cookie=item.cookie, method="POST", body=item.body
        )
    except (OSError, http.client.HTTPException) as exc:
        raise BenchError(f"submitting attempt {attempt_id} failed: {exc}") from exc
    location = headers.get("location", "")
    expected = f"/quizzes/attempts/{attempt_id}/result/"
    if status != 302 or not location.endswith(expected):
        raise BenchError(
            f"submitting attempt {attempt_id} answered {status} "
            f"(Location: {location!r}), not a redirect to {expected}"
        )
    status, _headers, _page = fetch(server.port, expected, cookie=item.cookie)
    if status != 200:
        raise BenchError(f"the result page of attempt {attempt_id} answered {status}")
    submissions.done(attempt_id)
    return f"submit attempt {attempt_id}: 302 to its result page, which answers 200"


# --- Report -----------------------------------------------------------------------------------
def print_table(rows: list[Measurement]) -> None:
    header = (
        f"{'request':<12} {'requests':>8} {'errors':>6} {'rps':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'cpu ms/req':>10} {'srv cpu':>7} {'cli cpu':>7}  path"
    )
    print(header)
    print("-" * len(header))
    for m in rows:
        cpu_ms, srv = m.server_cpu_ms_per_request, m.server_cpu_percent
        print(
            f"{m.name:<12} {m.requests:>8} {m.errors:>6} {m.rps:>8.1f} "
            f"{m.percentile_ms(50):>7.1f} {m.percentile_ms(95):>7.1f} "
            f"{'-' if cpu_ms is None else f'{cpu_ms:.2f}':>10} "
            f"{'-' if srv is None else f'{srv:.0f}%':>7} {m.client_cpu_percent:>6.0f}%  {m.path}"
        )


def run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    with bench_site() as site:
        print(
            f"preparing: {args.attempts} answered attempts at the demo lesson quiz ...", flush=True
        )
        began = time.perf_counter()
        setup = run_django(site.env, "bench.quiz_setup", "--attempts", str(args.attempts))
        quiz = setup["quiz"]
        print(
            f"  {len(setup['attempts'])} attempts at 「{quiz['title']}」 "
            f"({quiz['questions']} questions: {', '.join(quiz['types'])}) "
            f"in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        with Gunicorn.from_args(site.env, site.tmp, args) as server:
            submissions = Submissions(server.port, setup)
            print(server.describe(args, "each"), flush=True)
            status, _headers, _body = fetch(server.port, BARE_PATH)
            if status != 200:
                raise BenchError(f"the bare view answered {status}")
            print(f"check: {check_submission(server, submissions)}", flush=True)
            if args.warmup:
                print(f"warm-up: {args.warmup:g} s of each", flush=True)
                load(
                    server,
                    "warm-up",
                    [BARE],
                    seconds=args.warmup,
                    concurrency=args.concurrency,
                    max_requests=10**9,
                )
                submit_load(server, submissions, seconds=args.warmup, concurrency=args.concurrency)
            warmed = len(submissions.submitted)
            bare = Measurement(name=BARE_NAME, path=BARE_PATH)
            submit = Measurement(name=SUBMIT_NAME, path=SUBMIT_PATH)

            def measure_bare(seconds: float) -> Measurement:
                return load(
                    server,
                    BARE_NAME,
                    [BARE],
                    seconds=seconds,
                    concurrency=args.concurrency,
                    max_requests=10**9,
                )

            def measure_submit(seconds: float) -> Measurement | None:
                if not submissions.pending:
                    return None
                return submit_load(
                    server, submissions, seconds=seconds, concurrency=args.concurrency
                )

            interleave(
                [("bare", bare, measure_bare), ("submit", submit, measure_submit)],
                seconds=args.seconds,
                rounds=args.rounds,
                progress=lambda line: print(line, flush=True),
            )
            if not submissions.pending:
                print(
                    "note: every prepared attempt was submitted before the end; "
                    "prepare more with --attempts for a longer measurement"
                )
            failed = [m for m in (bare, submit) if m.errors]
            if failed:
                print(f"\ngunicorn log (last lines):\n{server.log_tail()}")
        verified = run_django_with_file(
            site.env, "bench.quiz_setup", "--verify", submissions.submitted
        )

    print()
    print_table([bare, submit])
    print()
    problems = [m.failure() for m in failed]
    if verified["graded"] != verified["attempts"]:
        problems.append(
            f"{verified['attempts']} submissions answered 302 but {verified['graded']} attempts "
            f"are graded ({verified['in_progress']} in progress, {verified['submitted']} "
            "waiting for an instructor)"
        )
    print(
        f"database: {verified['graded']} of {verified['attempts']} submitted attempts graded "
        f"({verified['passed']} passed), {warmed} of them in the check and warm-up"
    )
    verdict = judge(submit, bare, MIN_RATIO)
    print(verdict.line)
    if submit.server_cpu_ms_per_request is not None:
        print(
            f"server time per submission: {submit.server_cpu_ms_per_request:.1f} ms of worker CPU "
            f"(bare view {bare.server_cpu_ms_per_request or math.nan:.2f} ms)"
        )
    if verdict.problem:
        problems.append(verdict.problem)
    output = write_results(
        results_path("quiz", started, args.output),
        {
            **header("quiz", started, problems, site.database_url),
            "options": vars(args) | {"output": str(args.output) if args.output else None},
            "quiz": setup["quiz"],
            "verified": verified,
            "bare": bare.as_dict(),
            "submit": {**submit.as_dict(), **verdict.fields},
        },
    )
    print(f"results: {shown(output)}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    return run_benchmark(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

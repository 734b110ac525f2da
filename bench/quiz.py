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
import json
import math
import os
import platform
import secrets
import signal
import string
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    BARE_PATH,
    HOST,
    REQUEST_HEADERS,
    ROOT,
    BenchError,
    Gunicorn,
    LoadConnection,
    Measurement,
    ProtocolError,
    Target,
    bench_environment,
    cpu_seconds,
    database_url_for,
    fetch,
    load,
    prepare_site,
    redact,
    run_django,
)
from bench.pages import cpu_ratio, git_state, package_versions, ratio, slice_ratios

CSRF_ALPHABET = string.ascii_letters + string.digits
BARE_NAME = "bare"
SUBMIT_NAME = "quiz-submit"
# The lowest acceptable submissions rps / bare rps; about half the lowest ratio measured
# on the shared 2-core machine (see bench/README.md, "Quiz submission").
MIN_RATIO = 0.015
RESULTS_DIR = ROOT / "bench" / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--seconds", type=float, default=10.0, help="measured time of each side (default 10)")
    add("--warmup", type=float, default=2.0, help="warm-up of each side (default 2)")
    add("--rounds", type=int, default=5, help="slices each side's time is cut into (default 5)")
    add("--concurrency", type=int, default=8, help="client threads (default 8)")
    add(
        "--attempts",
        type=int,
        default=1200,
        help="attempts prepared for submission, each submitted once (default 1200)",
    )
    add("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    add("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    add("--threads", type=int, default=1, help="gunicorn threads per worker (default 1)")
    add("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    add("--output", type=Path, help="JSON file (default: bench/results/quiz-<time>.json)")
    args = parser.parse_args(argv)
    for name in ("seconds", "rounds", "concurrency", "attempts", "workers", "threads"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


# --- Submissions ------------------------------------------------------------------------------
class Submissions:
    """The prepared POST requests, each used once, shared by the load threads."""

    def __init__(self, port: int, setup: dict) -> None:
        self.pending: collections.deque[tuple[int, bytes]] = collections.deque()
        self.submitted: list[int] = []
        self.lock = threading.Lock()
        for attempt in setup["attempts"]:
            # A CSRF secret (32 letters and digits) in the cookie and, unmasked, in the form.
            token = "".join(secrets.choice(CSRF_ALPHABET) for _ in range(32))
            cookie = (
                f"{setup['session_cookie']}={attempt['session']}; {setup['csrf_cookie']}={token}"
            )
            self.pending.append(
                (attempt["id"], post_bytes(port, finish_path(attempt["id"]), cookie, token))
            )

    def take(self) -> tuple[int, bytes] | None:
        try:
            return self.pending.popleft()
        except IndexError:
            return None

    def done(self, attempt_id: int) -> None:
        with self.lock:
            self.submitted.append(attempt_id)


def finish_path(attempt_id: int) -> str:
    return f"/quizzes/attempts/{attempt_id}/finish/"


def post_bytes(port: int, path: str, cookie: str, csrf_token: str) -> bytes:
    body = f"csrfmiddlewaretoken={csrf_token}".encode("ascii")
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in REQUEST_HEADERS.items()]
    lines += [
        f"Cookie: {cookie}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def submit_load(
    server: Gunicorn,
    submissions: Submissions,
    *,
    seconds: float,
    concurrency: int,
    timeout: float = 30.0,
) -> Measurement:
    """POST prepared submissions from ``concurrency`` threads until ``seconds`` have
    passed or none is left. A 302 (to the result page) is a success, anything else an
    error. Measured like bench.harness.load: in-flight requests are awaited and counted."""
    result = Measurement(name=SUBMIT_NAME, path=finish_path(0).replace("/0/", "/<id>/"))
    stop = threading.Event()
    lock = threading.Lock()
    gate = threading.Barrier(concurrency + 1)

    def worker() -> None:
        latencies, errors, samples = [], 0, []
        conn = LoadConnection(server.port, timeout)
        try:
            gate.wait()
            while not stop.is_set():
                item = submissions.take()
                if item is None:
                    break
                attempt_id, request = item
                began = time.perf_counter()
                try:
                    status = conn.get(request)
                    error = None if status == 302 else f"HTTP {status} {finish_path(attempt_id)}"
                except (OSError, ProtocolError) as exc:
                    conn.close()
                    error = f"{type(exc).__name__}: {exc} {finish_path(attempt_id)}"
                latencies.append(time.perf_counter() - began)
                if error is None:
                    submissions.done(attempt_id)
                else:
                    errors += 1
                    if len(samples) < 5:
                        samples.append(error)
        except threading.BrokenBarrierError:
            pass
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.requests += len(latencies)
                result.errors += errors
                for sample in samples:
                    if len(result.error_samples) < 5 and sample not in result.error_samples:
                        result.error_samples.append(sample)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    workers = server.worker_pids()
    try:
        server_before = cpu_seconds(workers)
        client_before = time.process_time()
        gate.wait()
        began = time.perf_counter()
        deadline = began + seconds
        while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
            time.sleep(min(0.05, max(0.0, deadline - time.perf_counter())))
    finally:
        stop.set()
        gate.abort()
    for thread in threads:
        thread.join(timeout + 5)
    result.seconds = time.perf_counter() - began
    result.client_cpu_seconds = time.process_time() - client_before
    server_after = cpu_seconds(workers)
    if server_before is not None and server_after is not None:
        result.server_cpu_seconds = server_after - server_before
    if any(t.is_alive() for t in threads):
        raise BenchError("submissions: load threads still running after the end")
    return result


def check_submission(server: Gunicorn, submissions: Submissions) -> str:
    """Submit one attempt before the load: a 302 to its result page, which then answers 200."""
    item = submissions.take()
    if item is None:
        raise BenchError("no attempt was prepared")
    attempt_id, request = item
    head, body = request.split(b"\r\n\r\n", 1)
    headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
    headers.pop("Host", None)
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        conn.request("POST", finish_path(attempt_id), body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location", "")
    except (OSError, http.client.HTTPException) as exc:
        raise BenchError(f"submitting attempt {attempt_id} failed: {exc}") from exc
    finally:
        conn.close()
    expected = f"/quizzes/attempts/{attempt_id}/result/"
    if response.status != 302 or not location.endswith(expected):
        raise BenchError(
            f"submitting attempt {attempt_id} answered {response.status} "
            f"(Location: {location!r}), not a redirect to {expected}"
        )
    status, _headers, _page = fetch(server.port, expected, cookie=headers["Cookie"])
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


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="rpa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = database_url_for(tmp)
        env = bench_environment(tmp, database_url)
        print(f"database: {redact(database_url)}")
        print("preparing: migrate, seed_demo, collectstatic ...", flush=True)
        prepare_site(env)
        print(
            f"preparing: {args.attempts} answered attempts at the demo lesson quiz ...", flush=True
        )
        began = time.perf_counter()
        setup = run_django(env, "bench.quiz_setup", "--attempts", str(args.attempts))
        quiz = setup["quiz"]
        print(
            f"  {len(setup['attempts'])} attempts at 「{quiz['title']}」 "
            f"({quiz['questions']} questions: {', '.join(quiz['types'])}) "
            f"in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        bare_target = Target(BARE_NAME, BARE_PATH)
        server = Gunicorn(
            env,
            tmp / "gunicorn.log",
            port=args.port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
        )
        with server:
            submissions = Submissions(server.port, setup)
            print(
                f"gunicorn: http://127.0.0.1:{server.port}/ workers={args.workers} "
                f"class={args.worker_class} threads={args.threads}; client: "
                f"{args.concurrency} threads, {args.seconds:g} s each in {args.rounds} rounds",
                flush=True,
            )
            status, _headers, _body = fetch(server.port, BARE_PATH)
            if status != 200:
                raise BenchError(f"the bare view answered {status}")
            print(f"check: {check_submission(server, submissions)}", flush=True)
            if args.warmup:
                print(f"warm-up: {args.warmup:g} s of each", flush=True)
                load(
                    server,
                    "warm-up",
                    [bare_target],
                    seconds=args.warmup,
                    concurrency=args.concurrency,
                    max_requests=10**9,
                )
                submit_load(server, submissions, seconds=args.warmup, concurrency=args.concurrency)
            warmed = len(submissions.submitted)
            bare = Measurement(name=BARE_NAME, path=BARE_PATH)
            submit = Measurement(name=SUBMIT_NAME, path=finish_path(0).replace("/0/", "/<id>/"))
            for round_index in range(args.rounds):
                slice_seconds = args.seconds / args.rounds
                order = ("bare", "submit") if round_index % 2 == 0 else ("submit", "bare")
                print(f"round {round_index + 1}/{args.rounds}: {', '.join(order)}", flush=True)
                for side in order:
                    if side == "bare":
                        part = load(
                            server,
                            BARE_NAME,
                            [bare_target],
                            seconds=slice_seconds,
                            concurrency=args.concurrency,
                            max_requests=10**9,
                        )
                        bare.merge(part)
                    elif submissions.pending:
                        part = submit_load(
                            server,
                            submissions,
                            seconds=slice_seconds,
                            concurrency=args.concurrency,
                        )
                        submit.merge(part)
            if not submissions.pending:
                print(
                    "note: every prepared attempt was submitted before the end; "
                    "prepare more with --attempts for a longer measurement"
                )
            failed = [m for m in (bare, submit) if m.errors]
            if failed:
                print(f"\ngunicorn log (last lines):\n{server.log_tail()}")
        ids_file = tmp / "submitted.json"
        ids_file.write_text(json.dumps(submissions.submitted))
        verified = run_django(env, "bench.quiz_setup", "--verify", str(ids_file))

    print()
    print_table([bare, submit])
    print()
    problems = [f"{m.name}: {m.errors} failed requests, e.g. {m.error_samples}" for m in failed]
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
    r = ratio(submit, bare)
    by_cpu = cpu_ratio(submit, bare)
    spread = slice_ratios(submit, bare)
    verdict = "ok" if r >= MIN_RATIO else "FAR OFF BUDGET"
    print(
        f"{SUBMIT_NAME}: {submit.rps:.1f} rps / bare {bare.rps:.1f} rps = {r:.3f} "
        f"(rounds {min(spread, default=math.nan):.3f}-{max(spread, default=math.nan):.3f}"
        f"{'' if by_cpu is None else f'; by worker CPU {by_cpu:.3f}'}; "
        f"budget >= {MIN_RATIO:.3f}) {verdict}"
    )
    if submit.server_cpu_ms_per_request is not None:
        print(
            f"server time per submission: {submit.server_cpu_ms_per_request:.1f} ms of worker CPU "
            f"(bare view {bare.server_cpu_ms_per_request or math.nan:.2f} ms)"
        )
    if not r >= MIN_RATIO:
        problems.append(f"{SUBMIT_NAME}: ratio {r:.3f} is below its budget {MIN_RATIO:.3f}")
    output = args.output or RESULTS_DIR / f"quiz-{started:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "quiz",
        "started_at": started.isoformat(timespec="seconds"),
        "ok": not problems,
        "problems": problems,
        "git": git_state(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "packages": package_versions("django", "wagtail", "gunicorn"),
        "database": redact(database_url),
        "options": vars(args) | {"output": str(args.output) if args.output else None},
        "quiz": setup["quiz"],
        "verified": verified,
        "bare": bare.as_dict(),
        "submit": {
            **submit.as_dict(),
            "ratio": None if math.isnan(r) else round(r, 4),
            "slice_ratios": [round(x, 4) for x in spread],
            "cpu_ratio": None if by_cpu is None else round(by_cpu, 4),
            "min_ratio": MIN_RATIO,
        },
    }
    output.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    print(f"results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

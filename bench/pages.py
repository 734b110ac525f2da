#!/usr/bin/env python
"""Requests per second of the app's pages against a bare Django view, in one run.

    .venv/bin/python bench/pages.py [--seconds 10] [--warmup 5] [--concurrency 8] [--workers 2]

Serves the app with gunicorn on 127.0.0.1 (production settings, a throw-away seeded
database), measures the bare view and every page in PAGES in interleaved slices, prints
requests, errors, rps, p50/p95 latency and each page's ratio to the bare view, and writes
the figures to bench/results/. Pages that name a demo account are requested with that
account's session cookie (logged in once before the load; the demo trainee is enrolled in
the demo course first). Exits 1 when a ratio is below its budget or any request failed, 2
when the benchmark could not run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

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
from bench.harness.http import fetch
from bench.harness.load import BARE, Target, load, load_interleaved
from bench.harness.results import header, results_path, write_results
from bench.harness.server import Gunicorn
from bench.harness.site import Login, bench_site, log_in, run_django
from bench.harness.stats import Measurement, judge, ratio


class Page(NamedTuple):
    """A page to measure against the bare view. `path` and `expect` may name what
    bench/demo_course.py found in the database: {first_lesson} (the demo course's first
    lesson's path) and {first_lesson_text} (a piece of that lesson's body text)."""

    name: str  # for --page, the table and the JSON
    path: str
    user: str | None = None  # a demo account's e-mail to log in as; None: anonymous
    expect: str | None = None  # text the page must contain (checked once before the load)


DEMO_COURSE = "regional-producer-basics"  # seed_demo's course with one open cohort
TRAINEE = "trainee@example.com"  # seed_demo's trainee, enrolled in DEMO_COURSE before the load
PARTNER = "partner@example.com"  # seed_demo's partner organisation's member (sees "partners")
# 「空き家」 (vacant houses): four hits for an anonymous visitor, two public methods, a
# public case study and the demo course.
SEARCH_PATH = f"/search/?q={quote('空き家')}"

# The pages to measure, each against the same bare view in the same run. Adding a page is
# one line here. Every page must answer 200 (no redirect) to its user, or to an anonymous
# visitor when it names none.
PAGES: list[Page] = [
    Page("home", "/"),
    Page("catalogue", "/courses/", expect=f'href="/courses/{DEMO_COURSE}/"'),
    Page("course", f"/courses/{DEMO_COURSE}/", TRAINEE, expect='href="{first_lesson}"'),
    Page("lesson", "{first_lesson}", TRAINEE, expect="{first_lesson_text}"),
    Page("library", "/library/", expect='href="/library/akiya-owner-trust/"'),
    Page("library-partner", "/library/", PARTNER, expect='href="/library/safety-net-sharehouse/"'),
    Page("search", SEARCH_PATH, expect='href="/library/akiya-owner-trust/"'),
]

# Budgets: the lowest acceptable (page rps / bare rps). They catch figures far off (a page
# gone several times slower), not small regressions: the machine is shared and noisy.
# About half the lowest ratio measured on the 2-core machine, SQLite and PostgreSQL (see
# bench/README.md): home 0.041-0.073, catalogue 0.033-0.062, course (trainee)
# 0.016-0.040, lesson (trainee) 0.024-0.056; SQLite only so far: library 0.026-0.038,
# library (partner) 0.026-0.031, search 0.047-0.066.
DEFAULT_MIN_RATIO = 0.02
MIN_RATIO: dict[str, float] = {
    "home": 0.02,
    "catalogue": 0.015,
    "course": 0.008,
    "lesson": 0.012,
    "library": 0.012,
    "library-partner": 0.012,
    "search": 0.02,
}

HTML_LANG = re.compile(rb"<html[^>]*\blang=\"([^\"]+)\"", re.IGNORECASE)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(__doc__)
    add_load_options(
        parser,
        each="per page",
        warmup=5.0,
        warmup_help="warm-up over all pages",
        concurrency=8,
        rounds_help="slices each page's time is cut into (default 5)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="stop measuring a page after this many requests (default 200000)",
    )
    add_server_options(parser)
    parser.add_argument(
        "--page",
        action="append",
        metavar="NAME",
        help="measure only this page of PAGES (repeatable; default: all)",
    )
    add_output_option(parser, "pages")
    args = parser.parse_args(argv)
    require_positive(
        parser, args, "seconds", "rounds", "concurrency", "max_requests", "workers", "threads"
    )
    known = [page.name for page in PAGES]
    unknown = set(args.page or []) - set(known)
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}; known: {known}")
    return args


def min_ratio(name: str) -> float:
    return MIN_RATIO.get(name, DEFAULT_MIN_RATIO)


def needs_demo_course(pages: list[Page]) -> bool:
    """Whether the pages need bench/demo_course.py: a login (the trainee must be enrolled)
    or a {placeholder} only the database can fill."""
    return any(page.user or "{" in page.path + (page.expect or "") for page in pages)


def resolve(page: Page, facts: dict[str, str]) -> Page:
    """The page with its {placeholders} filled from bench/demo_course.py's findings."""
    try:
        path = page.path.format_map(facts)
        expect = None if page.expect is None else page.expect.format_map(facts)
    except KeyError as exc:
        raise BenchError(f"{page.name}: unknown placeholder {exc} in PAGES") from exc
    return page._replace(path=path, expect=expect)


def check_page(server: Gunicorn, page: Page, login: Login | None = None) -> str:
    """One GET before the load, with the user's cookie: 200 (no redirect), HTML in the
    language of the URL, logged in (the logout form) when the page names a user, and the
    page's `expect` text. Returns a line saying what was checked."""
    label = f"{page.name} ({page.path}{f' as {page.user}' if page.user else ''})"
    try:
        status, headers, body = fetch(server.port, page.path, cookie=login and login.cookie)
    except (OSError, http.client.HTTPException) as exc:
        raise BenchError(f"{label} did not answer: {exc}") from exc
    if status != 200:
        location = f" (Location: {headers['location']})" if "location" in headers else ""
        raise BenchError(f"{label} answered {status}{location}, not 200")
    checked = ["200"]
    if "text/html" in headers.get("content-type", ""):
        expected = "en" if page.path.startswith("/en/") else "ja"
        match = HTML_LANG.search(body)
        lang = match.group(1).decode() if match else None
        if lang != expected:
            raise BenchError(f"{label} is in {lang!r}, expected <html lang={expected!r}>")
        checked.append(f'lang="{lang}"')
    text = body.decode("utf-8", errors="replace")
    if login is not None:
        if f'action="{login.logout_path}"' not in text:
            raise BenchError(f"{label}: no logout form in the page, the session was not accepted")
        checked.append("logged in")
    if page.expect is not None:
        if page.expect not in text:
            raise BenchError(f"{label}: the page does not contain {page.expect!r}")
        checked.append(
            f"contains {page.expect if len(page.expect) <= 40 else page.expect[:39] + '…'!r}"
        )
    return f"{label}: {', '.join(checked)}, {len(body) / 1024:.0f} KiB"


def print_table(bare: Measurement, pages: list[Measurement], users: dict[str, str]) -> None:
    """One line per page; the path comes last (a lesson's path is long)."""
    rows = [bare, *pages]
    name_width = max(10, *(len(m.name) for m in rows))
    user_width = max(9, *(len(users.get(m.name) or "-") for m in rows))
    header = (
        f"{'page':<{name_width}} {'user':<{user_width}} {'requests':>8} {'errors':>6} "
        f"{'rps':>8} {'p50 ms':>7} {'p95 ms':>7} {'ratio':>6} {'budget':>7} "
        f"{'cpu ms/req':>10} {'srv cpu':>7} {'cli cpu':>7}  path"
    )
    print(header)
    print("-" * len(header))
    for m in rows:
        cpu_ms = m.server_cpu_ms_per_request
        srv = m.server_cpu_percent
        budget = "-" if m is bare else f">={min_ratio(m.name):.3f}"
        print(
            f"{m.name:<{name_width}} {users.get(m.name) or '-':<{user_width}} {m.requests:>8} "
            f"{m.errors:>6} {m.rps:>8.1f} {m.percentile_ms(50):>7.1f} "
            f"{m.percentile_ms(95):>7.1f} {ratio(m, bare):>6.3f} {budget:>7} "
            f"{'-' if cpu_ms is None else f'{cpu_ms:.2f}':>10} "
            f"{'-' if srv is None else f'{srv:.0f}%':>7} {m.client_cpu_percent:>6.0f}%  {m.path}"
        )


OPTIONS = (
    "seconds",
    "warmup",
    "rounds",
    "concurrency",
    "max_requests",
    "workers",
    "worker_class",
    "threads",
)


def run(args: argparse.Namespace) -> int:
    pages = [page for page in PAGES if not args.page or page.name in args.page]
    users = {page.name: page.user for page in pages if page.user}
    started = datetime.now(UTC)
    with bench_site() as site:
        demo = None
        if needs_demo_course(pages):
            print(f"preparing: {TRAINEE} enrolled in {DEMO_COURSE}, its first lesson ...")
            demo = run_django(
                site.env, "bench.demo_course", "--course", DEMO_COURSE, "--trainee", TRAINEE
            )
            print(
                f"  enrollment {demo['enrollment']['status']} "
                f"(cohort {demo['enrollment']['cohort']}); first lesson {demo['first_lesson']}"
            )
        pages = [resolve(page, demo or {}) for page in pages]
        logins = log_in(site.env, sorted(set(users.values())))
        if logins:
            print(f"logged in once: {', '.join(logins)}", flush=True)
        targets = [
            Target(page.name, page.path, logins[page.user].cookie if page.user else None)
            for page in pages
        ]
        with Gunicorn.from_args(site.env, site.tmp, args) as server:
            print(server.describe(args, "per page"), flush=True)
            for page in [Page(BARE_NAME, BARE_PATH), *pages]:
                print(f"check: {check_page(server, page, logins.get(page.user))}", flush=True)
            warmup = None
            if args.warmup:
                print(f"warm-up: {args.warmup:g} s over every page", flush=True)
                warmup = load(
                    server,
                    "warm-up",
                    [BARE, *targets],
                    seconds=args.warmup,
                    concurrency=args.concurrency,
                    max_requests=args.max_requests,
                )
            bare, *measured = load_interleaved(
                server,
                [BARE, *targets],
                seconds=args.seconds,
                rounds=args.rounds,
                concurrency=args.concurrency,
                max_requests=args.max_requests,
                progress=lambda line: print(line, flush=True),
            )
            failed = [m for m in [warmup, bare, *measured] if m is not None and m.errors]
            if failed:
                print(f"\ngunicorn log (last lines):\n{server.log_tail()}")

    print()
    print_table(bare, measured, users)
    print()
    problems = [m.failure() for m in failed]
    possible = 100 * min(args.workers, os.cpu_count() or 1)
    if bare.server_cpu_percent is not None and bare.server_cpu_percent < possible / 2:
        print(
            f"note: the workers got {bare.server_cpu_percent:.0f}% CPU of {possible}% during "
            "the bare view; other processes share the machine, the rps figures are noisy."
        )
    entries = []
    for m in measured:
        verdict = judge(m, bare, min_ratio(m.name))
        print(verdict.line)
        if verdict.problem:
            problems.append(verdict.problem)
        entries.append({**m.as_dict(), "user": users.get(m.name), **verdict.fields})
    output = results_path("pages", started, args.output)
    write_results(
        output,
        {
            **header("pages", started, problems, site.database_url),
            "cache": "redis" if os.environ.get("REDIS_URL") else "locmem",
            "options": {name: getattr(args, name) for name in OPTIONS},
            "demo_course": demo,
            "warmup": warmup.as_dict() if warmup else None,
            "bare": bare.as_dict(),
            "pages": entries,
        },
    )
    print(f"results: {output}", flush=True)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    return run_benchmark(run, parse_args(argv), announce=True)


if __name__ == "__main__":
    sys.exit(main())

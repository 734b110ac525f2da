#!/usr/bin/env python
"""The gradebook of 1,000 trainees x 10 quizzes against a bare Django view, in one run.

    .venv/bin/python bench/gradebook.py [--seconds 10] [--trainees 1000] [--quizzes 10]

Serves the app with gunicorn on 127.0.0.1 (production settings, a throw-away seeded
database, as bench/pages.py). Before the load, this same script run as
``python -m bench.gradebook --setup`` (with the benchmark's environment) writes a course
with ``--trainees`` active trainees and ``--quizzes`` required quizzes into the database
with ``bulk_create`` (lessons completed, graded attempts, approved fieldwork, varied per
trainee), names an instructor on it, logs them in once, and times the gradebook's selector
in-process. The load then requests, as that instructor, in interleaved slices:

- ``bare``: the bare view (the baseline);
- ``page``: /admin/reports/gradebook/<id>/, the first 50 rows of 1,000;
- ``page-sorted``: the same sorted by a quiz's best score, filtered to one standing
  (every row assembled, filtered and sorted in Python, then one page rendered);
- ``csv``: the CSV export of every row (streamed);
- ``xlsx``: the XLSX export of every row.

Prints requests, errors, rps, p50/p95 latency, the workers' CPU ms per request (the
server time of one request) and each ratio to the bare view; writes the figures to
bench/results/gradebook-<time>.json. Exits 1 when a ratio is below its budget or a
request failed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BenchError
from bench.harness.cli import (
    add_load_options,
    add_output_option,
    add_server_options,
    parser_for,
    require_positive,
    run_benchmark,
)
from bench.harness.http import fetch
from bench.harness.load import BARE, Target, load_interleaved
from bench.harness.results import header, results_path, shown, write_results
from bench.harness.server import Gunicorn
from bench.harness.site import bench_site, run_django
from bench.harness.stats import Measurement, judge, ratio

COURSE_SLUG = "bench-gradebook"
INSTRUCTOR = "bench-gradebook-instructor@example.com"
# The lowest acceptable rps / bare rps of each request; about half the lowest ratio
# measured on the shared 2-core machine (see bench/README.md, "Gradebook").
MIN_RATIO = {"page": 0.0025, "page-sorted": 0.003, "csv": 0.0015, "xlsx": 0.0007}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(__doc__)
    add_load_options(
        parser,
        each="of each request",
        warmup=3.0,
        warmup_help="warm-up over all requests",
        concurrency=4,
        rounds_help="slices each request's time is cut into",
    )
    add = parser.add_argument
    add("--trainees", type=int, default=1000, help="trainees in the course (default 1000)")
    add("--quizzes", type=int, default=10, help="required quizzes (default 10)")
    add_server_options(parser)
    add_output_option(parser, "gradebook")
    add("--setup", action="store_true", help=argparse.SUPPRESS)  # run by the benchmark itself
    args = parser.parse_args(argv)
    require_positive(
        parser, args, "seconds", "rounds", "concurrency", "trainees", "quizzes", "workers"
    )
    return args


# --- Setup (inside Django, in the benchmark's database) --------------------------------------
def setup(args: argparse.Namespace) -> int:
    """Write the course and its trainees, log the instructor in, time the selector."""
    import django

    django.setup()
    import datetime
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.harness.django_script import session_key
    from lms.accounts import roles
    from lms.accounts.services import user_assign_role
    from lms.assessments.models import Attempt, Quiz
    from lms.courses.models import (
        CourseIndexPage,
        CourseInstructor,
        CoursePage,
        Enrollment,
        LessonPage,
        LessonProgress,
        ModulePage,
    )
    from lms.fieldwork.models import ActivityCategory, FieldworkEntry, FieldworkRequirement
    from lms.reports.gradebook.selectors import gradebook

    index = CourseIndexPage.objects.filter(locale__language_code="ja").first()
    if index is None:
        print("no course catalogue in the benchmark's database (seed_demo?)", file=sys.stderr)
        return 1
    category = ActivityCategory.objects.order_by("pk").first()
    if category is None:
        print("no fieldwork category in the benchmark's database (seed_demo?)", file=sys.stderr)
        return 1
    User = get_user_model()
    with transaction.atomic():
        course = CoursePage(
            title="成績一覧ベンチマーク講座",
            slug=COURSE_SLUG,
            summary_text="ベンチマーク用の講座です。",
            learning_outcomes="<ul><li>ベンチマーク</li></ul>",
        )
        index.add_child(instance=course)
        lessons = []
        for m in range(2):
            module = ModulePage(title=f"単元{m + 1}", slug=f"module-{m + 1}")
            course.add_child(instance=module)
            for n in range(5):
                lesson = LessonPage(title=f"レッスン{m + 1}-{n + 1}", slug=f"lesson-{m}-{n}")
                module.add_child(instance=lesson)
                lessons.append(lesson)
        requirement = FieldworkRequirement.objects.create(
            course=course, required_hours=Decimal("20")
        )
        requirement.categories.set([category])
        quizzes = [
            Quiz.objects.create(title=f"確認テスト{n + 1:02d}", course=course, questions="[]")
            for n in range(args.quizzes)
        ]
        instructor = User.objects.create_user(
            email=INSTRUCTOR, last_name="講師", first_name="ベンチ", password=None
        )
        user_assign_role(user=instructor, role=roles.INSTRUCTORS)
        CourseInstructor.objects.create(page=course, user=instructor)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-gradebook-{n:05d}@example.com",
                    last_name=f"山田{n}",
                    first_name="花子",
                    last_name_kana="やまだ",
                    first_name_kana=f"はなこ{n}",
                )
                for n in range(args.trainees)
            ]
        )
        now = timezone.now()
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    user=user,
                    course=course,
                    status=Enrollment.Status.ACTIVE,
                    last_activity_at=now - datetime.timedelta(days=n % 40),
                )
                for n, user in enumerate(users)
            ]
        )
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(enrollment=e, lesson=lesson)
                for n, e in enumerate(enrollments)
                for lesson in lessons[: n % (len(lessons) + 1)]
            ],
            batch_size=2000,
        )
        attempts = []
        for n, enrollment in enumerate(enrollments):
            for q, quiz in enumerate(quizzes):
                for number in range(1 + (n + q) % 3):  # 1 to 3 attempts each
                    percentage = Decimal((n * 7 + q * 13 + number * 29) % 101)
                    attempts.append(
                        Attempt(
                            quiz=quiz,
                            user_id=enrollment.user_id,
                            enrollment=enrollment,
                            number=number + 1,
                            status=Attempt.Status.GRADED,
                            submitted_at=now,
                            graded_at=now,
                            score=percentage,
                            max_score=Decimal(100),
                            percentage=percentage,
                            passed=percentage >= quiz.pass_mark,
                        )
                    )
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        FieldworkEntry.objects.bulk_create(
            [
                FieldworkEntry(
                    enrollment=e,
                    status=FieldworkEntry.Status.APPROVED,
                    category=category,
                    hours=Decimal(n % 8) + Decimal("0.5"),
                    date=now.date(),
                )
                for n, e in enumerate(enrollments)
                for _ in range(n % 4)
            ],
            batch_size=2000,
        )
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key(instructor)}"
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            book = gradebook(course=course)
            timings.append((time.perf_counter() - began) * 1000)
    args.output.write_text(
        json.dumps(
            {
                "course_id": course.pk,
                "cookie": cookie,
                "trainees": len(book.rows),
                "quizzes": len(book.quizzes),
                "attempts": len(attempts),
                "first_quiz_id": quizzes[0].pk,
                "selector_queries": len(queries),
                "selector_ms": round(statistics.median(timings), 1),
            }
        )
    )
    return 0


# --- The load ------------------------------------------------------------------------------------
def targets_for(facts: dict) -> list[Target]:
    base = f"/admin/reports/gradebook/{facts['course_id']}/"
    cookie = facts["cookie"]
    return [
        BARE,
        Target("page", base, cookie),
        Target("page-sorted", f"{base}?state=stalled&sort=-quiz-{facts['first_quiz_id']}", cookie),
        Target("csv", f"{base}export/csv/", cookie),
        Target("xlsx", f"{base}export/xlsx/", cookie),
    ]


def check(server: Gunicorn, targets: list[Target], facts: dict) -> None:
    """Each request once before the load: 200 and the right content."""
    for target in targets:
        status, headers, body = fetch(server.port, target.path, cookie=target.cookie)
        if status != 200:
            raise BenchError(f"{target.name}: {target.path} answered {status}")
        if target.name == "page":
            rows = body.count(b'href="/admin/enrollments/history/')
            if rows != min(50, facts["trainees"]):
                raise BenchError(f"page: {rows} rows, not {min(50, facts['trainees'])}")
        if target.name == "csv":
            lines = body.decode("utf-8").count("@example.com")
            if lines != facts["trainees"]:
                raise BenchError(f"csv: {lines} trainees, not {facts['trainees']}")
        if target.name == "xlsx" and not body.startswith(b"PK"):
            raise BenchError("xlsx: not a zip (xlsx) file")
        print(f"check: {target.name} {status} {len(body)} bytes", flush=True)


def print_table(rows: list[Measurement], bare: Measurement) -> None:
    header = (
        f"{'request':<12} {'requests':>8} {'errors':>6} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'cpu ms/req':>10} {'ratio':>7} {'budget':>7}"
    )
    print(header)
    print("-" * len(header))
    for m in rows:
        cpu_ms = m.server_cpu_ms_per_request
        budget = MIN_RATIO.get(m.name)
        print(
            f"{m.name:<12} {m.requests:>8} {m.errors:>6} {m.rps:>8.1f} "
            f"{m.percentile_ms(50):>8.1f} {m.percentile_ms(95):>8.1f} "
            f"{'-' if cpu_ms is None else f'{cpu_ms:.1f}':>10} "
            f"{ratio(m, bare):>7.4f} {'-' if budget is None else f'{budget:.4f}':>7}"
        )


def run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    with bench_site() as site:
        print(f"preparing: {args.trainees} trainees x {args.quizzes} quizzes ...", flush=True)
        began = time.perf_counter()
        facts = run_django(
            site.env,
            "bench.gradebook",
            "--setup",
            "--trainees",
            str(args.trainees),
            "--quizzes",
            str(args.quizzes),
        )
        print(
            f"  {facts['trainees']} trainees, {facts['quizzes']} quizzes, "
            f"{facts['attempts']} attempts in {time.perf_counter() - began:.0f} s; "
            f"selector in-process: {facts['selector_queries']} queries, "
            f"{facts['selector_ms']} ms (median of 5)",
            flush=True,
        )
        targets = targets_for(facts)
        with Gunicorn.from_args(site.env, site.tmp, args) as server:
            print(server.describe(args, "each"), flush=True)
            check(server, targets, facts)
            if args.warmup:
                load_interleaved(
                    server,
                    targets,
                    seconds=args.warmup * len(targets),
                    rounds=1,
                    concurrency=args.concurrency,
                    max_requests=10**9,
                    progress=lambda message: print(f"warm-up: {message}", flush=True),
                )
            measured = load_interleaved(
                server,
                targets,
                seconds=args.seconds,
                rounds=args.rounds,
                concurrency=args.concurrency,
                max_requests=10**9,
                progress=lambda message: print(message, flush=True),
            )
            failed = [m for m in measured if m.errors]
            if failed:
                print(f"\ngunicorn log (last lines):\n{server.log_tail()}")

    bare, pages = measured[0], measured[1:]
    print()
    print_table(measured, bare)
    print()
    problems = [m.failure() for m in failed]
    results = {}
    for m in pages:
        server_time = (
            f"; server time {m.server_cpu_ms_per_request or math.nan:.1f} ms of worker CPU "
            "per request"
        )
        verdict = judge(m, bare, MIN_RATIO[m.name], digits=4, extra=server_time)
        print(verdict.line)
        if verdict.problem:
            problems.append(verdict.problem)
        results[m.name] = {**m.as_dict(), **verdict.fields}
    facts.pop("cookie", None)
    output = write_results(
        results_path("gradebook", started, args.output),
        {
            **header(
                "gradebook",
                started,
                problems,
                site.database_url,
                packages=("django", "wagtail", "gunicorn", "openpyxl"),
                load_average=True,
            ),
            "options": vars(args) | {"output": str(args.output) if args.output else None},
            "setup": facts,
            "bare": bare.as_dict(),
            "requests": results,
        },
    )
    print(f"results: {shown(output)}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.setup:
        if args.output is None:
            print("--setup needs --output", file=sys.stderr)
            return 2
        return setup(args)
    return run_benchmark(run, args)


if __name__ == "__main__":
    sys.exit(main())

"""Prepare (or check) the quiz submissions of bench/quiz.py in the benchmark's database.

Run by bench/quiz.py through bench.harness.site.run_django, with the benchmark's environment:

    python -m bench.quiz_setup --attempts N --output FILE
    python -m bench.quiz_setup --verify IDS_FILE --output FILE

The first form makes N throw-away trainees (``bench-quiz-NNNNN@example.com``, no usable
password), each enrolled (active) in the demo course and with one attempt in progress at
the demo lesson quiz (seed_demo's 「単元1 確認テスト」, six questions of six types) started
and answered through the application's services: every second attempt answers everything
right, the others pick the first choice shown and leave the rest as the page showed it.
Each trainee is logged in once (a database session, as bench/sessions.py does). FILE gets
{"quiz": {...}, "session_cookie": ..., "csrf_cookie": ..., "attempts": [{"id", "session"}]}.

The second form reads a JSON list of attempt ids and writes how many of them are graded,
submitted (waiting for an instructor) or still in progress, and how many score changes
exist: after the load every answered submission must have been graded exactly once.
Exits 1 with the reason on stderr when the demo quiz is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.harness.django_script import ScriptError, script_main, session_key

LESSON_SLUG = "lesson-03-regional-producer-role"


def _correct_response(question: dict) -> dict:
    kind = question["type"]
    if kind in ("single", "true_false"):
        return {"choice": next(c["id"] for c in question["choices"] if c["correct"])}
    if kind == "multiple":
        return {"choices": [c["id"] for c in question["choices"] if c["correct"]]}
    if kind == "short_answer":
        return {"text": question["accepted_answers"][0]}
    if kind == "numeric":
        return {"value": question["answer"]}
    if kind == "ordering":
        return {"order": [item["id"] for item in question["items"]]}
    return {"text": "ベンチマークの回答です。"}


def _first_shown_response(question: dict) -> dict:
    kind = question["type"]
    if kind in ("single", "true_false"):
        return {"choice": question["choices"][0]["id"]}
    if kind == "multiple":
        return {"choices": [question["choices"][0]["id"]]}
    if kind == "short_answer":
        return {"text": "わかりません"}
    if kind == "numeric":
        return {"value": "１２．５"}
    if kind == "ordering":
        return {"order": list(question["display_order"])}
    return {}


def prepare(count: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from lms.accounts import roles
    from lms.assessments import services
    from lms.assessments.models import Quiz
    from lms.courses.models import Enrollment

    quiz = (
        Quiz.objects.select_related("course")
        .filter(lesson__slug=LESSON_SLUG)
        .order_by("pk")
        .first()
    )
    if quiz is None:
        raise ScriptError(f"no quiz in the lesson {LESSON_SLUG} (did seed_demo run?)")
    User = get_user_model()
    existing = User.objects.filter(email__startswith="bench-quiz-").count()
    users = User.objects.bulk_create(
        User(
            email=f"bench-quiz-{existing + n:05d}@example.com",
            last_name="ベンチ",
            first_name=f"{existing + n}",
            password="!",  # no usable password: logged in by session only
        )
        for n in range(count)
    )
    users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("pk"))
    trainees = Group.objects.get(name=roles.TRAINEES)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=trainees.pk) for user in users
    )
    cohort = quiz.course.cohorts.order_by("pk").first()
    Enrollment.objects.bulk_create(
        Enrollment(user=user, course=quiz.course, cohort=cohort, status=Enrollment.Status.ACTIVE)
        for user in users
    )
    attempts = []
    for index, user in enumerate(users):
        attempt = services.attempt_start(quiz=quiz, user=user)
        answer_of = _correct_response if index % 2 == 0 else _first_shown_response
        responses = {
            answer.position: answer_of(answer.question)
            for answer in attempt.answers.order_by("position")
        }
        services.answers_save(attempt=attempt, responses=responses, version=attempt.version)
        attempts.append({"id": attempt.pk, "session": session_key(user)})
    return {
        "quiz": {
            "id": quiz.pk,
            "title": quiz.title,
            "questions": quiz.question_count,
            "types": sorted({block.block_type for block in quiz.questions}),
        },
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "attempts": attempts,
    }


def verify(ids: list[int]) -> dict:
    from django.db.models import Count

    from lms.assessments.models import Attempt, ScoreChange

    by_status = dict(
        Attempt.objects.filter(pk__in=ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "attempts": len(ids),
        "graded": by_status.get(Attempt.Status.GRADED, 0),
        "submitted": by_status.get(Attempt.Status.SUBMITTED, 0),
        "in_progress": by_status.get(Attempt.Status.IN_PROGRESS, 0),
        "passed": Attempt.objects.filter(pk__in=ids, passed=True).count(),
        "score_changes": ScoreChange.objects.filter(attempt_id__in=ids).count(),
    }


def work(args) -> dict:
    if args.verify is not None:
        return verify(json.loads(args.verify.read_text()))
    return prepare(args.attempts)


def arguments(add) -> None:
    add("--attempts", type=int, default=0)
    add("--verify", type=Path)


def main(argv: list[str] | None = None) -> int:
    return script_main(__doc__, work, argv, arguments=arguments)


if __name__ == "__main__":
    sys.exit(main())

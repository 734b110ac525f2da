"""Check the database after a load or fault run: the ledger, then the invariants.

Run with the stack's environment:

    python -m bench.loadsim.verify --ledger LEDGER.json --output FILE [--wait-tasks 20]

**The ledger** (bench.loadsim.trainee.Ledger: what the server confirmed):

- every lesson completion answered 302 has its ``LessonProgress`` row;
- every attempt exists, belongs to the trainee and the quiz; every answer confirmed (302 or
  ``{"ok": true}``) holds the response last sent for its question (a save whose request
  failed may hold the older or the newer response, nothing else); a submission answered 302
  is graded or, with an essay, waiting for the instructor;
- every fieldwork entry exists, belongs to the trainee and holds the values last confirmed
  (or, after a failed save, those values); one submitted with a 302 is ``submitted``.

**The invariants** ("nothing half-written"), over every attempt and entry of the load
trainees, including those whose requests failed or were never confirmed:

- an attempt has one answer per question shown (positions 1..n) and its maximum is their
  sum; in progress: not submitted, not graded, no answer scored; graded: submitted and
  graded times, score = the sum of the answers' scores (unless overridden), percentage and
  pass/fail agreeing with the pass mark, no answer left for an instructor; waiting for the
  instructor: submitted, an essay to grade, no percentage; a passed lesson quiz has
  completed its lesson;
- a submitted entry has its submission time, every field a submission requires, a
  ``submitted`` event in its history and, with a supervisor, a supervisor link; a draft has
  no submission time and no ``submitted`` event;
- every supervisor link has its e-mail task in the task queue (enqueued after commit), and
  the worker has run them (waits up to ``--wait-tasks`` seconds for the queue to drain).

FILE gets {"problems": [...], "figures": {...}}; exit status 0 even with problems (the
caller decides), 1 when the check itself could not run.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.harness.django_script import script_main

EMAIL_PREFIX = "load-"
MAX_PROBLEMS = 200


def _norm_response(response) -> dict:
    response = dict(response or {})
    if "choices" in response:
        response["choices"] = sorted(response["choices"])
    return response


def _norm_field(name: str, value) -> str:
    if value is None:
        return ""
    if name == "hours":
        return f"{Decimal(str(value)).normalize():f}" if str(value) != "" else ""
    if name == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


class Problems(list):
    def add(self, text: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(text)
        elif len(self) == MAX_PROBLEMS:
            self.append("… more problems not listed")


def check_ledger(ledger: dict, problems: Problems) -> dict:
    from lms.assessments.models import Attempt
    from lms.courses.models import LessonProgress
    from lms.fieldwork.models import FieldworkEntry, FieldworkEvent

    progress = set(
        LessonProgress.objects.filter(enrollment__user__email__startswith=EMAIL_PREFIX).values_list(
            "enrollment__user__email", "lesson_id"
        )
    )
    for email, lesson_id in ledger["lessons"]:
        if (email, lesson_id) not in progress:
            problems.add(f"lesson {lesson_id} completed by {email} (302) has no LessonProgress")

    ids = [int(k) for k in ledger["attempts"]]
    attempts = {
        a.pk: a
        for a in Attempt.objects.filter(pk__in=ids)
        .select_related("user")
        .prefetch_related("answers")
    }
    answers_checked = 0
    for key, expected in ledger["attempts"].items():
        attempt = attempts.get(int(key))
        if attempt is None:
            problems.add(f"attempt {key} of {expected['email']} is not in the database")
            continue
        if attempt.user.email != expected["email"] or attempt.quiz_id != expected["quiz_id"]:
            problems.add(f"attempt {key} belongs to {attempt.user.email}/quiz {attempt.quiz_id}")
        stored = {str(a.position): _norm_response(a.response) for a in attempt.answers.all()}
        for position, response in expected["responses"].items():
            answers_checked += 1
            acceptable = [_norm_response(response)]
            acceptable += [_norm_response(r) for r in expected["uncertain"].get(position, [])]
            if stored.get(position) not in acceptable:
                problems.add(
                    f"attempt {key} question {position}: stored {stored.get(position)!r}, "
                    f"confirmed {acceptable[0]!r}"
                )
        for position, candidates in expected["uncertain"].items():
            if position in expected["responses"]:
                continue
            acceptable = [{}] + [_norm_response(r) for r in candidates]
            if stored.get(position) not in acceptable:
                problems.add(f"attempt {key} question {position}: stored {stored.get(position)!r}")
        if expected["submitted"] and attempt.status == Attempt.Status.IN_PROGRESS:
            problems.add(f"attempt {key}: submitted (302) but still in progress")

    entries = {
        e.pk: e
        for e in FieldworkEntry.objects.filter(pk__in=[int(k) for k in ledger["entries"]])
        .select_related("enrollment__user")
        .prefetch_related("supervisor_tokens")
    }
    submitted_events = set(
        FieldworkEvent.objects.filter(entry_id__in=entries, to_status="submitted").values_list(
            "entry_id", flat=True
        )
    )
    for key, expected in ledger["entries"].items():
        entry = entries.get(int(key))
        if entry is None:
            problems.add(f"entry {key} of {expected['email']} is not in the database")
            continue
        if entry.enrollment.user.email != expected["email"]:
            problems.add(f"entry {key} belongs to {entry.enrollment.user.email}")
        uncertain = expected.get("uncertain") or {}
        for name, value in expected["fields"].items():
            stored = _norm_field(name, getattr(entry, name + ("_id" if name == "category" else "")))
            acceptable = {_norm_field(name, value)}
            if name in uncertain.get("fields", {}):
                acceptable.add(_norm_field(name, uncertain["fields"][name]))
            if stored not in acceptable:
                problems.add(f"entry {key} {name}: stored {stored!r}, confirmed {value!r}")
        if expected["submitted"]:
            if entry.status != FieldworkEntry.Status.SUBMITTED:
                problems.add(f"entry {key}: submitted (302) but its status is {entry.status}")
            if entry.pk not in submitted_events:
                problems.add(f"entry {key}: submitted (302) but no 'submitted' event")
    return {
        "lessons": len(ledger["lessons"]),
        "attempts": len(ledger["attempts"]),
        "answers": answers_checked,
        "entries": len(ledger["entries"]),
    }


def check_invariants(problems: Problems) -> dict:
    from django.db.models import Count, Q

    from lms.assessments.models import Attempt
    from lms.courses.models import LessonProgress
    from lms.fieldwork.models import FieldworkEntry, SupervisorToken

    Status = Attempt.Status
    attempts = list(
        Attempt.objects.filter(user__email__startswith=EMAIL_PREFIX)
        .select_related("quiz")
        .prefetch_related("answers")
    )
    progress = set(
        LessonProgress.objects.filter(enrollment__user__email__startswith=EMAIL_PREFIX).values_list(
            "enrollment_id", "lesson_id"
        )
    )
    by_status: dict[str, int] = {}
    for attempt in attempts:
        by_status[attempt.status] = by_status.get(attempt.status, 0) + 1
        answers = sorted(attempt.answers.all(), key=lambda a: a.position)
        name = f"attempt {attempt.pk} ({attempt.status})"
        if not answers or [a.position for a in answers] != list(range(1, len(answers) + 1)):
            problems.add(f"{name}: answers at positions {[a.position for a in answers]}")
            continue
        if attempt.max_score != sum((a.max_score for a in answers), Decimal(0)):
            problems.add(f"{name}: max score {attempt.max_score} is not the sum of its answers")
        scored = [a for a in answers if a.auto_score is not None or a.needs_manual]
        if attempt.status == Status.IN_PROGRESS:
            if attempt.submitted_at or attempt.graded_at or attempt.score is not None or scored:
                problems.add(f"{name}: in progress but submitted, graded or scored")
            continue
        if attempt.submitted_at is None:
            problems.add(f"{name}: no submission time")
        manual = [a for a in answers if a.needs_manual]
        ungraded = [a for a in answers if a.auto_score is None and not a.needs_manual]
        if ungraded:
            problems.add(f"{name}: {len(ungraded)} answers neither graded nor left to grade")
        if attempt.status == Status.GRADED:
            if attempt.graded_at is None or attempt.percentage is None or attempt.passed is None:
                problems.add(f"{name}: graded without grading time, percentage or result")
                continue
            if manual:
                problems.add(f"{name}: graded with {len(manual)} answers for the instructor")
            total = sum((a.score or Decimal(0) for a in answers), Decimal(0))
            if not attempt.overridden and attempt.score != total:
                problems.add(f"{name}: score {attempt.score} but its answers sum to {total}")
            if attempt.passed != (attempt.percentage >= Decimal(attempt.quiz.pass_mark)):
                problems.add(f"{name}: passed={attempt.passed} at {attempt.percentage}%")
            lesson_id = attempt.quiz.lesson_id
            if attempt.passed and lesson_id and (attempt.enrollment_id, lesson_id) not in progress:
                problems.add(f"{name}: passed the lesson quiz but lesson {lesson_id} not complete")
        elif attempt.status == Status.SUBMITTED:
            if not manual or attempt.percentage is not None:
                problems.add(f"{name}: waiting for the instructor without an essay to grade")

    Entry = FieldworkEntry
    entries = list(
        Entry.objects.filter(enrollment__user__email__startswith=EMAIL_PREFIX).annotate(
            submitted_events=Count("events", filter=Q(events__to_status=Entry.Status.SUBMITTED)),
            tokens=Count("supervisor_tokens", distinct=True),
        )
    )
    entries_by_status: dict[str, int] = {}
    required = ("date", "hours", "prefecture", "municipality", "site", "activity", "learned")
    for entry in entries:
        entries_by_status[entry.status] = entries_by_status.get(entry.status, 0) + 1
        name = f"entry {entry.pk} ({entry.status})"
        if entry.status == Entry.Status.SUBMITTED:
            missing = [f for f in required if getattr(entry, f) in (None, "")]
            if entry.category_id is None:
                missing.append("category")
            if missing:
                problems.add(f"{name}: submitted without {', '.join(missing)}")
            if entry.submitted_at is None:
                problems.add(f"{name}: no submission time")
            if entry.submitted_events < 1:
                problems.add(f"{name}: no 'submitted' event in its history")
            if entry.supervisor_email and entry.tokens < 1:
                problems.add(f"{name}: a supervisor but no supervisor link")
        elif entry.status == Entry.Status.DRAFT:
            if entry.submitted_at is not None or entry.submitted_events:
                problems.add(f"{name}: a draft with a submission time or a 'submitted' event")

    tokens = list(
        SupervisorToken.objects.filter(
            entry__enrollment__user__email__startswith=EMAIL_PREFIX
        ).values_list("pk", flat=True)
    )
    return {
        "attempts_by_status": by_status,
        "entries_by_status": entries_by_status,
        "supervisor_links": len(tokens),
        "_token_ids": tokens,
    }


def check_tasks(token_ids: list[int], wait: float, problems: Problems) -> dict:
    """Every supervisor link's e-mail task is in the queue and has been run by the worker."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the project depends on it
        return {"tasks": "django_tasks_db not installed"}
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return {"tasks": f"not checked: backend {settings.TASKS['default']['BACKEND']}"}
    path = "lms.fieldwork.tasks.send_supervisor_request"
    deadline = time.monotonic() + wait
    while True:
        results = list(DBTaskResult.objects.filter(task_path=path).values("status", "args_kwargs"))
        pending = [r for r in results if r["status"] in ("READY", "RUNNING")]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(1)
    queued = {r["args_kwargs"].get("kwargs", {}).get("token_id") for r in results}
    missing = [pk for pk in token_ids if pk not in queued]
    if missing:
        problems.add(
            f"{len(missing)} supervisor links have no e-mail task (lost between commit and "
            f"enqueue): ids {missing[:10]}"
        )
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    if pending:
        problems.add(f"{len(pending)} supervisor e-mail tasks still waiting after {wait:.0f} s")
    failed = by_status.get("FAILED", 0)
    if failed:
        problems.add(f"{failed} supervisor e-mail tasks failed")
    return {"supervisor_email_tasks": by_status, "links_without_task": len(missing)}


def work(args) -> dict:
    ledger = json.loads(args.ledger.read_text())
    problems = Problems()
    figures = {"ledger": check_ledger(ledger, problems)}
    invariants = check_invariants(problems)
    token_ids = invariants.pop("_token_ids")
    figures["database"] = invariants
    figures["tasks"] = check_tasks(token_ids, args.wait_tasks, problems)
    return {"problems": problems, "figures": figures}


def arguments(add) -> None:
    add("--ledger", type=Path, required=True)
    add("--wait-tasks", type=float, default=20.0)


def main(argv: list[str] | None = None) -> int:
    return script_main(__doc__, work, argv, arguments=arguments)


if __name__ == "__main__":
    sys.exit(main())

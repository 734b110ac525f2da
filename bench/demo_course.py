"""Prepare the demo course for the logged-in pages of bench/pages.py.

Run with the benchmark's environment (DJANGO_SETTINGS_MODULE=bench.settings, its
DATABASE_URL) after seed_demo, before gunicorn serves the load:

    python -m bench.demo_course --course SLUG --trainee EMAIL --output FILE

1. Enrolls the trainee in the Japanese course through the application's service
   (lms.courses.services.enrollment_create; it picks the course's open cohort). An
   enrollment that is already active (a scratch PostgreSQL database reused) is kept.
2. Finds the course's first live lesson (tree order) and a piece of its body text that
   only the lesson itself shows, not the "locked" page non-enrolled visitors get.

FILE gets {"course": url, "enrollment": {...}, "first_lesson": url, "first_lesson_text":
text}. Exits 1 with the reason on stderr when the trainee cannot be enrolled.
"""

from __future__ import annotations

import html
import re
import sys
from urllib.parse import urlsplit

from bench.harness.django_script import ScriptError, script_main

# A text node of the rendered lesson body: the bytes between two tags, long enough to be
# the lesson's own words (a heading or a paragraph), not a label of the page around it.
TEXT_NODE = re.compile(r">([^<>]{12,})<")


def lesson_text(lesson) -> str:
    """The first substantial text node of the lesson's rendered body, as it is in the HTML."""
    rendered = str(lesson.body.render_as_block())
    for match in TEXT_NODE.finditer(rendered):
        text = match.group(1).strip()
        if len(html.unescape(text)) >= 12:
            return text
    raise ValueError(f"the lesson {lesson.url} has no body text to check for")


def work(args) -> dict:
    from django.contrib.auth import get_user_model

    from lms.courses.models import CoursePage, Enrollment, LessonPage
    from lms.courses.services import EnrollmentError, enrollment_create

    course = CoursePage.objects.get(slug=args.course, locale__language_code="ja")
    trainee = get_user_model()._default_manager.get_by_natural_key(args.trainee)
    enrollment = Enrollment.objects.filter(user=trainee, course=course).first()
    if enrollment is None or not enrollment.is_active:
        try:
            enrollment = enrollment_create(user=trainee, course=course)
        except EnrollmentError as exc:
            cohorts = "; ".join(
                f"{c.name}: enrollment {c.enrollment_opens_at:%Y-%m-%d %H:%M} to "
                f"{c.enrollment_closes_at:%Y-%m-%d %H:%M} UTC, runs to {c.ends_on}"
                for c in course.cohorts.all()
                if c.enrollment_opens_at and c.enrollment_closes_at
            )
            existing = f"; their enrollment is {enrollment.status!r}" if enrollment else ""
            raise ScriptError(
                f"cannot enroll {args.trainee} in {args.course}: {' '.join(exc.messages)}"
                f"{existing}{f' (cohorts: {cohorts})' if cohorts else ''}"
            ) from exc
    if not enrollment.is_active:
        raise ScriptError(
            f"{args.trainee} is {enrollment.status!r} in {args.course}, not active: "
            "the lesson would answer 403"
        )
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    if lesson is None:
        raise ScriptError(f"the course {args.course} has no live lesson")
    return {
        "course": urlsplit(course.url).path,
        "enrollment": {
            "status": enrollment.status,
            "cohort": str(enrollment.cohort.name) if enrollment.cohort else None,
        },
        "first_lesson": urlsplit(lesson.url).path,
        "first_lesson_text": lesson_text(lesson),
    }


def arguments(add) -> None:
    add("--course", required=True, metavar="SLUG")
    add("--trainee", required=True, metavar="EMAIL")


def main(argv: list[str] | None = None) -> int:
    return script_main(__doc__, work, argv, arguments=arguments)


if __name__ == "__main__":
    sys.exit(main())

"""Make the simulated trainees and describe the demo course to them.

Run with the stack's environment (its settings, database, SECRET_KEY):

    python -m bench.loadsim.setup --trainees 50 --output FILE

Creates ``--trainees`` accounts ``load-NNN@example.com`` (a fresh random password shared by
all, hashed once; a verified primary e-mail address, as allauth's login requires; the
Trainees group), each with an active enrollment in the demo course (seed_demo's
「regional-producer-basics」, its first cohort; written directly, so a full cohort does not
turn the 31st into a waiting-list place: the load is about the learning pages, not the
enrollment rules). Existing load trainees are reused with the new password.

FILE gets the password, the e-mails, and what the trainees need to find their way: the
catalogue and course paths, the live lessons in order (id, path), the course's quizzes
(id, lesson, page path, attempts allowed, layout) and whether the course has a fieldwork
requirement. Exits 1 with the reason on stderr when the demo course is missing.
"""

from __future__ import annotations

import secrets
import sys
from urllib.parse import urlsplit

from bench.harness.django_script import ScriptError, script_main

COURSE_SLUG = "regional-producer-basics"
EMAIL_FORMAT = "load-{:03d}@example.com"


def _path(url: str) -> str:
    return urlsplit(url).path


def prepare(count: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.urls import reverse

    from lms.accounts import roles
    from lms.assessments.models import Quiz
    from lms.courses.models import CourseIndexPage, CoursePage, Enrollment, LessonPage
    from lms.fieldwork.models import FieldworkRequirement

    course = CoursePage.objects.live().filter(slug=COURSE_SLUG, locale__language_code="ja").first()
    if course is None:
        raise ScriptError(f"no live course {COURSE_SLUG!r} (did seed_demo run?)")
    password = "load-" + secrets.token_urlsafe(12)
    hashed = make_password(password)
    emails = [EMAIL_FORMAT.format(n) for n in range(1, count + 1)]
    User = get_user_model()
    with transaction.atomic():
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            User(
                email=email,
                last_name="負荷",
                first_name=f"{n:03d}",
                last_name_kana="ふか",
                first_name_kana="てすと",
                password=hashed,
            )
            for n, email in enumerate(emails, start=1)
            if email not in existing
        )
        User.objects.filter(email__in=emails).update(password=hashed)
        users = list(User.objects.filter(email__in=emails).order_by("email"))
        trainees = Group.objects.get(name=roles.TRAINEES)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=trainees.pk) for u in users],
            ignore_conflicts=True,
        )
        have_address = set(
            EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True)
            for u in users
            if u.pk not in have_address
        )
        enrolled = set(
            Enrollment.objects.filter(course=course, user__in=users).values_list(
                "user_id", flat=True
            )
        )
        cohort = course.cohorts.order_by("pk").first()
        Enrollment.objects.bulk_create(
            Enrollment(user=u, course=course, cohort=cohort, status=Enrollment.Status.ACTIVE)
            for u in users
            if u.pk not in enrolled
        )
        Enrollment.objects.filter(course=course, user__in=users).update(
            status=Enrollment.Status.ACTIVE
        )

    lessons = LessonPage.objects.live().descendant_of(course).order_by("path")
    catalogue = CourseIndexPage.objects.live().filter(locale__language_code="ja").first()
    quizzes = []
    for quiz in Quiz.objects.filter(course=course).select_related("lesson").order_by("pk"):
        page = quiz.pages.live().first()
        quizzes.append(
            {
                "id": quiz.pk,
                "title": quiz.title,
                "lesson_id": quiz.lesson_id,
                "page_path": _path(page.url) if page else None,
                "max_attempts": quiz.max_attempts,
                "layout": quiz.layout,
                "start_path": reverse("assessments:quiz", args=[quiz.pk]),
            }
        )
    return {
        "password": password,
        "trainees": emails,
        "login_path": reverse("account_login"),
        "course": {
            "id": course.pk,
            "title": course.title,
            "path": _path(course.url),
            "catalogue_path": _path(catalogue.url) if catalogue else None,
        },
        "lessons": [{"id": lesson.pk, "path": _path(lesson.url)} for lesson in lessons],
        "quizzes": quizzes,
        "fieldwork": {
            "required": FieldworkRequirement.objects.filter(course=course).exists(),
            "new_path": reverse("fieldwork:entry_new", args=[course.pk]),
        },
    }


def main(argv: list[str] | None = None) -> int:
    return script_main(
        __doc__,
        lambda args: prepare(args.trainees),
        argv,
        arguments=lambda add: add("--trainees", type=int, default=50),
    )


if __name__ == "__main__":
    sys.exit(main())

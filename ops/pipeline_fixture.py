"""The small course the pipeline proof walks through, created inside the stack.

Runs in a ``manage.py shell`` of the production-like stack (``ops.prove_pipeline``), after
the demo content: it needs the course catalogue, a certificate design and the demo
instructor (instructor@example.com), who is named on the course and approves the
fieldwork in the admin. Prints one line of JSON with what the HTTP side needs to know.

The course asks for one lesson, one quiz (one true/false question) and one hour of
approved fieldwork, so every kind of requirement is on the way to the certificate.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from lms.accounts import roles
from lms.accounts.services import user_assign_role
from lms.assessments.models import Quiz
from lms.courses.models import CourseIndexPage, CourseInstructor, CoursePage, LessonPage, ModulePage
from lms.fieldwork.models import ActivityCategory, FieldworkRequirement

QUESTION_ID = "pipeline-q1"


def _course(instructor) -> CoursePage:
    index = CourseIndexPage.objects.filter(locale__language_code="ja").first()
    if index is None:
        raise RuntimeError("No course catalogue: start the stack with the demo content.")
    slug = f"pipeline-{secrets.token_hex(4)}"
    course = CoursePage(
        title=f"本番同等確認講座 {slug}",
        slug=slug,
        locale=index.locale,
        summary_text="受講登録から修了証までを確かめるための講座です。",
        learning_outcomes="<ul><li>修了証が発行される</li></ul>",
        enrollment_policy="open",
        total_hours=Decimal("2"),
    )
    course.course_instructors = [CourseInstructor(user=instructor)]
    index.add_child(instance=course)
    course.save_revision().publish()
    module = ModulePage(title="単元1", slug="module-1", locale=course.locale)
    course.add_child(instance=module)
    module.save_revision().publish()
    lesson = LessonPage(
        title="レッスン1",
        slug="lesson-1",
        locale=course.locale,
        body=[("paragraph", "<p>地域の人の話を聞くことから始めます。</p>")],
    )
    module.add_child(instance=lesson)
    lesson.save_revision().publish()
    return course


def _quiz(course) -> Quiz:
    question = {
        "type": "true_false",
        "id": QUESTION_ID,
        "value": {
            "text": "<p>地域づくりは住民の声を聞くことから始まる。</p>",
            "points": "1",
            "category": None,
            "feedback": "",
            "explanation": "",
            "answer": "true",
            "feedback_true": "",
            "feedback_false": "",
        },
    }
    quiz = Quiz(
        title="確認テスト",
        course=course,
        questions=json.dumps([question]),
        pass_mark=60,
        shuffle_choices=False,
        required_for_completion=True,
    )
    quiz.full_clean()
    quiz.save()
    return quiz


def _requirement(course) -> ActivityCategory:
    category, _created = ActivityCategory.objects.get_or_create(
        slug="pipeline-hearing",
        defaults={"name": "住民ヒアリング（確認用）", "name_en": "Hearing (check)"},
    )
    requirement = FieldworkRequirement.objects.create(course=course, required_hours=Decimal("1"))
    requirement.categories.set([category])
    return category


def _trainee(password: str):
    User = get_user_model()
    email = f"pipeline-{secrets.token_hex(4)}@example.com"
    user = User(
        email=email,
        last_name="渡邊",
        first_name="葵",
        last_name_kana="わたなべ",
        first_name_kana="あおい",
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user_assign_role(user=user, role=roles.TRAINEES)
    return user


@transaction.atomic
def setup(password: str) -> dict:
    """Create the course, its quiz and fieldwork requirement, and a trainee."""
    User = get_user_model()
    instructor = User.objects.filter(email="instructor@example.com").first()
    if instructor is None:
        raise RuntimeError("No instructor: start the stack with the demo content.")
    course = _course(instructor)
    lesson = LessonPage.objects.descendant_of(course).get()
    quiz = _quiz(course)
    category = _requirement(course)
    trainee = _trainee(password)
    return {
        "course_id": course.pk,
        "course_url": course.url,
        "lesson_id": lesson.pk,
        "quiz_id": quiz.pk,
        "category_id": category.pk,
        "trainee_email": trainee.email,
        "trainee_name": f"{trainee.last_name} {trainee.first_name}",
        "instructor_email": instructor.email,
    }


def main_setup(password: str) -> None:
    print("PIPELINE " + json.dumps(setup(password)))

"""The one completion rule: required lessons, required quizzes passed, approved hours."""

from decimal import Decimal

import pytest
from django.utils import translation

from lms.assessments import services as quiz_services
from lms.certificates.eligibility import eligibilities, eligibility
from lms.courses import services as course_services
from lms.courses.models import Enrollment
from lms.fieldwork import services as fieldwork_services
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="complete", lessons=2)


def _pass(quiz, user):
    attempt = quiz_services.attempt_start(quiz=quiz, user=user)
    quiz_services.answers_save(attempt=attempt, responses={1: {"choice": "q1-1"}}, version=1)
    return quiz_services.attempt_submit(attempt=attempt)


def _complete_lessons(enrollment, course):
    for lesson in lessons_of(course):
        course_services.lesson_complete(enrollment=enrollment, lesson=lesson)


def _status(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk).status


def test_lessons_alone_complete_a_course_without_quizzes_or_fieldwork(course):
    enrollment = ff.enrolled(course)
    first, second = lessons_of(course)
    course_services.lesson_complete(enrollment=enrollment, lesson=first)
    assert _status(enrollment) == "active"
    with translation.override("ja"):
        assert [m.message for m in eligibility(enrollment).missing] == [
            "必須レッスンがあと1件完了していません。"
        ]
    course_services.lesson_complete(enrollment=enrollment, lesson=second)
    assert _status(enrollment) == "completed"


def test_every_requirement_is_named_until_met_then_the_course_completes(course):
    quiz = qf.make_quiz(course, title="基礎確認テスト", pass_mark=100)
    ff.requirement(course, hours="3")
    enrollment = ff.enrolled(course)
    instructor = InstructorFactory()

    _complete_lessons(enrollment, course)
    result = eligibility(enrollment)
    assert not result.complete
    with translation.override("ja"):
        messages = [m.message for m in eligibility(enrollment).missing]
    assert messages == [
        "確認テスト「基礎確認テスト」に合格してください。",
        "フィールドワークの承認済み時間があと3時間必要です。",
    ]
    assert _status(enrollment) == "active"

    _pass(quiz, enrollment.user)
    assert [m.kind for m in eligibility(enrollment).missing] == ["fieldwork"]

    entry = ff.entry(enrollment, status="submitted", hours=Decimal("1.5"))
    fieldwork_services.entry_review(entry=entry, actor=instructor, decision="approve")
    with translation.override("ja"):
        assert [m.message for m in eligibility(enrollment).missing] == [
            "フィールドワークの承認済み時間があと1.5時間必要です。"
        ]
    assert _status(enrollment) == "active"

    second = ff.entry(enrollment, status="submitted", hours=Decimal("1.5"), days_ago=2)
    fieldwork_services.entry_review(entry=second, actor=instructor, decision="approve")
    assert eligibility(enrollment).complete
    assert _status(enrollment) == "completed"


def test_hours_outside_the_counted_categories_and_unapproved_hours_do_not_count(course):
    ff.requirement(course, hours="2", counted=("hearing",))
    enrollment = ff.enrolled(course)
    ff.entry(enrollment, status="approved", category="talks", hours=Decimal("5"))
    ff.entry(enrollment, status="submitted", category="hearing", hours=Decimal("5"), days_ago=2)
    ff.entry(enrollment, status="approved", category="hearing", hours=Decimal("0.5"), days_ago=3)
    result = eligibility(enrollment)
    assert result.approved_hours == Decimal("0.5")
    assert result.missing_hours == Decimal("1.5")


def test_a_failed_quiz_does_not_count_and_an_optional_quiz_is_not_required(course):
    required = qf.make_quiz(course, title="必須テスト", pass_mark=100)
    qf.make_quiz(course, title="任意テスト", required_for_completion=False)
    enrollment = ff.enrolled(course)
    _complete_lessons(enrollment, course)
    attempt = quiz_services.attempt_start(quiz=required, user=enrollment.user)
    quiz_services.answers_save(attempt=attempt, responses={1: {"choice": "q1-2"}}, version=1)
    quiz_services.attempt_submit(attempt=attempt)
    result = eligibility(enrollment)
    assert (result.quizzes_passed, result.quizzes_total) == (0, 1)
    assert _status(enrollment) == "active"
    _pass(required, enrollment.user)
    assert _status(enrollment) == "completed"


def test_a_course_that_requires_nothing_is_never_complete(site_tree):
    empty = course_tree(site_tree, slug="empty", lessons=0)
    enrollment = ff.enrolled(empty)
    assert not eligibility(enrollment).complete


@pytest.mark.parametrize("trainees", [3, 30])
def test_bulk_eligibility_makes_the_same_queries_whatever_the_number(
    course, trainees, django_assert_num_queries
):
    qf.make_quiz(course)
    ff.requirement(course, hours="3")
    enrollments = [ff.enrolled(course) for _ in range(trainees)]
    for enrollment in enrollments[::2]:
        ff.entry(enrollment, status="approved", hours=Decimal("1"))
    loaded = list(Enrollment.objects.filter(course=course).select_related("course"))
    # lessons (2), required quizzes, passes, requirements + their categories, hours
    with django_assert_num_queries(7):
        result = eligibilities(loaded)
    assert len(result) == trainees
    assert sum(r.approved_hours for r in result.values()) == Decimal((trainees + 1) // 2)

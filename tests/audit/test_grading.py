"""Manual grades, overrides (an answer, an attempt) and regrades in Wagtail's audit reports:
old and new score and the reason, for the course's instructors and superusers only."""

from decimal import Decimal

import pytest
from wagtail.log_actions import registry as log_registry

from lms.assessments import services
from lms.assessments.models import Answer, Attempt
from lms.courses import services as course_services
from lms.courses.models import CourseLogEntry
from tests.assessments.test_admin_grading import essay_block, make_quiz, single_block, take
from tests.audit.conftest import ja, report_rows, text_of
from tests.factories.accounts import TraineeFactory

pytestmark = pytest.mark.django_db


def enrolled(course, **fields):
    trainee = TraineeFactory(**fields)
    enrollment = course_services.enrollment_create(user=trainee, course=course)
    course_services.enrollment_approve(enrollment=enrollment, actor=None)
    return trainee


@pytest.fixture
def attempts(world):
    """One submitted attempt in each course, its essay waiting for a grade."""
    made = {}
    for key, name in (("a", "髙橋"), ("b", "鈴木")):
        quiz = make_quiz(world[f"course_{key}"], single_block(), essay_block(), title=f"確認{key}")
        trainee = enrolled(world[f"course_{key}"], last_name=name)
        made[key] = take(quiz, trainee, {"q-single": {"choice": "c1"}, "q-essay": {"text": "回答"}})
    return made


def essay(attempt):
    return Answer.objects.get(attempt=attempt, question_id="q-essay")


def score_text(value):
    return f"{Decimal(value):.2f}"


def test_manual_grade_and_overrides_reach_the_course_instructor_only(client, world, attempts):
    a, b = attempts["a"], attempts["b"]
    services.answer_grade_manually(
        answer=essay(a), actor=world["instructor_a"], score="6", comment="具体的です"
    )
    services.answer_override(
        answer=essay(a), actor=world["instructor_a"], score="7", reason="採点基準の見直し"
    )
    services.attempt_override(
        attempt=Attempt.objects.get(pk=a.pk),
        actor=world["admin"],
        reason="不正行為が確認されたため",
        percentage="40",
    )
    services.answer_grade_manually(
        answer=essay(b), actor=world["instructor_b"], score="3", comment="別講座のコメント"
    )

    entries = CourseLogEntry.objects.filter(object_id=str(a.pk)).order_by("timestamp", "pk")
    assert [e.action for e in entries] == [
        services.LOG_MANUAL_GRADE,
        services.LOG_OVERRIDE,
        services.LOG_OVERRIDE,
    ]
    # The course was found through the attempt's enrollment, by a subquery in the INSERT.
    assert {(e.course_id, e.enrollment_id) for e in entries} == {
        (world["course_a"].pk, a.enrollment_id)
    }
    graded = ja("%(change)s. Comment: “%(comment)s”") % {
        "change": ja("Answer %(position)s graded: %(new)s points")
        % {"position": 2, "new": score_text(6)},
        "comment": "具体的です",
    }
    answer_override = ja("%(change)s. Reason: “%(reason)s”") % {
        "change": ja("Answer %(position)s: score overridden: %(old)s → %(new)s")
        % {"position": 2, "old": score_text(6), "new": score_text(7)},
        "reason": "採点基準の見直し",
    }
    attempt_override = ja("%(change)s. Reason: “%(reason)s”") % {
        "change": ja("Score overridden: %(old)s → %(new)s")
        % {"old": score_text(9), "new": score_text(4)},  # 2 + 7 points, then 40% of 10
        "reason": "不正行為が確認されたため",
    }
    for user in (world["admin"], world["instructor_a"]):
        rows = report_rows(client, user)
        assert graded in rows and answer_override in rows and attempt_override in rows
        assert "講師 一郎" in rows and "管理 者" in rows
    rows_b = report_rows(client, world["instructor_b"])
    assert answer_override not in rows_b and attempt_override not in rows_b
    assert "髙橋" not in rows_b and "講師 一郎" not in rows_b
    assert (
        ja("Answer %(position)s graded: %(new)s points")
        % {
            "position": 2,
            "new": score_text(3),
        }
        in rows_b
    )

    # The attempt's own history: the course's instructor sees every change, with the
    # manual grade's comment; the other course's instructor gets a 404.
    client.force_login(world["instructor_a"])
    history = client.get(f"/admin/quiz-attempts/history/{a.pk}/")
    assert history.status_code == 200
    text = text_of(history)
    assert graded in text and answer_override in text and attempt_override in text
    client.force_login(world["instructor_b"])
    assert client.get(f"/admin/quiz-attempts/history/{a.pk}/").status_code == 404


def test_a_regrade_is_reported_on_the_quiz_and_on_each_changed_attempt(client, world):
    quiz = make_quiz(world["course_a"], single_block(correct="c1"), title="確認A")
    course = world["course_a"]
    wrong = take(quiz, enrolled(course, last_name="北岳"), {"q-single": {"choice": "c2"}})
    right = take(quiz, enrolled(course, last_name="富士"), {"q-single": {"choice": "c1"}})
    corrected = quiz.question_snapshot("q-single")
    for choice in corrected["choices"]:
        choice["correct"] = choice["id"] == "c2"
    result = services.quiz_regrade(
        quiz=quiz,
        question_id="q-single",
        corrected_question=corrected,
        actor=world["instructor_a"],
        reason="正解の設定誤り",
    )
    assert result == {"changed": 2, "attempts": 2}

    quiz_entry = CourseLogEntry.objects.get(action=services.LOG_REGRADE)
    assert (quiz_entry.course_id, quiz_entry.enrollment_id) == (world["course_a"].pk, None)
    per_attempt = CourseLogEntry.objects.filter(action=services.LOG_ATTEMPT_REGRADE)
    assert sorted(int(e.object_id) for e in per_attempt) == sorted([wrong.pk, right.pk])
    by_attempt = {int(e.object_id): e.data for e in per_attempt}
    assert (by_attempt[wrong.pk]["old_score"], by_attempt[wrong.pk]["new_score"]) == (
        "0.00",
        "2.00",
    )
    assert (by_attempt[right.pk]["old_score"], by_attempt[right.pk]["new_score"]) == (
        "2.00",
        "0.00",
    )

    on_quiz = ja("%(change)s. Reason: “%(reason)s”") % {
        "change": ja("Question regraded: %(count)s answers changed") % {"count": 2},
        "reason": "正解の設定誤り",
    }
    on_attempt = ja("%(change)s. Reason: “%(reason)s”") % {
        "change": ja("Regraded question %(question)s: score %(old)s → %(new)s")
        % {"question": "q-single", "old": "0.00", "new": "2.00"},
        "reason": "正解の設定誤り",
    }
    rows = report_rows(client, world["instructor_a"])
    assert on_quiz in rows and on_attempt in rows
    rows_b = report_rows(client, world["instructor_b"])
    assert on_quiz not in rows_b and on_attempt not in rows_b and "確認A" not in rows_b

    client.force_login(world["instructor_a"])
    history = client.get(f"/admin/quiz-attempts/history/{wrong.pk}/")
    assert on_attempt in text_of(history)
    # What the quiz's own history lists (Wagtail's get_logs_for_instance), and who may
    # read it: the entry is scoped to the quiz's course.
    logs = log_registry.get_logs_for_instance(quiz)
    assert [e.action for e in logs] == [services.LOG_REGRADE]
    assert logs.filter(pk__in=CourseLogEntry.objects.viewable_by_user(world["instructor_a"]))
    assert not logs.filter(pk__in=CourseLogEntry.objects.viewable_by_user(world["instructor_b"]))

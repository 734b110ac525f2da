"""Overrides and regrades: append-only records, originals kept, results recomputed."""

from decimal import Decimal

import pytest
from django.utils import translation

from lms.assessments import services
from lms.assessments.models import Answer, Attempt, ScoreChange
from lms.courses.models import CourseLogEntry, LessonProgress
from tests.factories import assessments as qf
from tests.factories.accounts import InstructorFactory
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="scores", lessons=1)


def _graded(course, responses, *, questions=None, **settings):
    quiz = qf.make_quiz(
        course, questions=questions or [qf.single("q1"), qf.single("q2")], **settings
    )
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    services.answers_save(attempt=attempt, responses=responses, version=1)
    return quiz, services.attempt_submit(attempt=attempt)


def test_answer_override_keeps_the_automatic_score_and_records_who_and_why(course):
    instructor = InstructorFactory()
    _quiz, attempt = _graded(course, {1: {"choice": "q1-1"}, 2: {"choice": "q2-2"}})
    assert attempt.percentage == Decimal("50.00") and attempt.passed is False
    answer = Answer.objects.get(attempt=attempt, position=2)
    with pytest.raises(services.AttemptError, match="reason"):
        services.answer_override(answer=answer, actor=instructor, score="1", reason=" ")
    services.answer_override(answer=answer, actor=instructor, score="1", reason="別解も正しい")
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert (answer.auto_score, answer.score) == (Decimal("0.00"), Decimal("1.00"))
    assert attempt.percentage == Decimal("100.00") and attempt.passed is True
    change = ScoreChange.objects.get(answer=answer)
    assert (change.kind, change.old_score, change.new_score, change.reason, change.actor) == (
        "override",
        Decimal("0.00"),
        Decimal("1.00"),
        "別解も正しい",
        instructor,
    )
    entry = CourseLogEntry.objects.get(action="assessments.override")
    assert entry.user == instructor and entry.data["reason"] == "別解も正しい"


def test_attempt_override_by_percentage_and_it_survives_a_regrade(course):
    instructor = InstructorFactory()
    quiz, attempt = _graded(course, {1: {"choice": "q1-2"}, 2: {"choice": "q2-2"}})
    with pytest.raises(services.AttemptError, match="either a score or a percentage"):
        services.attempt_override(attempt=attempt, actor=instructor, reason="x")
    services.attempt_override(attempt=attempt, actor=instructor, percentage="75", reason="配慮")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.percentage, attempt.overridden) == (
        Decimal("1.50"),
        Decimal("75.00"),
        True,
    )
    corrected = quiz.question_snapshot("q1")
    for choice in corrected["choices"]:
        choice["correct"] = choice["id"] == "q1-2"
    services.quiz_regrade(
        quiz=quiz,
        question_id="q1",
        corrected_question=corrected,
        actor=instructor,
        reason="正解の設定誤り",
    )
    attempt.refresh_from_db()
    assert attempt.score == Decimal("1.50")  # the instructor's override stands
    assert Answer.objects.get(attempt=attempt, position=1).score == Decimal("1.00")


def test_regrade_after_a_corrected_question(course):
    instructor = InstructorFactory()
    lesson = lessons_of(course)[0]
    quiz = qf.make_quiz(course, questions=[qf.single("q1")], lesson=lesson)
    trainees = [qf.enrolled_trainee(course) for _ in range(3)]
    attempts = []
    for trainee, choice in zip(trainees, ["q1-1", "q1-2", "q1-3"], strict=True):
        attempt = services.attempt_start(quiz=quiz, user=trainee)
        services.answer_save(attempt=attempt, position=1, response={"choice": choice}, version=1)
        attempts.append(services.attempt_submit(attempt=attempt))
    open_attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    assert [a.passed for a in attempts] == [True, False, False]

    corrected = quiz.question_snapshot("q1")
    for choice in corrected["choices"]:
        choice["correct"] = choice["id"] == "q1-2"
    with pytest.raises(services.AttemptError, match="reason"):
        services.quiz_regrade(
            quiz=quiz, question_id="q1", corrected_question=corrected, actor=instructor, reason=""
        )
    result = services.quiz_regrade(
        quiz=quiz,
        question_id="q1",
        corrected_question=corrected,
        actor=instructor,
        reason="正解は「予算を確保する」でした",
    )
    assert result == {"changed": 2, "attempts": 2}
    for attempt in attempts:
        attempt.refresh_from_db()
    assert [a.passed for a in attempts] == [False, True, False]
    first = Answer.objects.get(attempt=attempts[0])
    # The original question, as the trainee saw it, stays beside the corrected one.
    assert next(c for c in first.question["choices"] if c["correct"])["id"] == "q1-1"
    assert next(c for c in first.corrected_question["choices"] if c["correct"])["id"] == "q1-2"
    changes = ScoreChange.objects.filter(kind="regrade").order_by("attempt_id")
    assert [(c.old_score, c.new_score) for c in changes] == [
        (Decimal("1.00"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("1.00")),
    ]
    # Passing now completes the lesson for the second trainee.
    assert LessonProgress.objects.filter(enrollment__user=trainees[1], lesson=lesson).exists()
    # An attempt in progress is graded with the corrected question when submitted.
    services.answer_save(attempt=open_attempt, position=1, response={"choice": "q1-2"}, version=1)
    assert services.attempt_submit(attempt=open_attempt).passed is True
    assert CourseLogEntry.objects.filter(action="assessments.regrade").count() == 1


def test_grading_an_attempt_in_progress_is_refused(course):
    quiz = qf.make_quiz(course, questions=[qf.essay("e1")])
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    answer = Answer.objects.get(attempt=attempt)
    with pytest.raises(services.AttemptError, match="still in progress"):
        services.answer_grade_manually(answer=answer, actor=InstructorFactory(), score="1")
    assert Attempt.objects.get(pk=attempt.pk).status == "in_progress"
    assert not ScoreChange.objects.exists()


def test_a_regrade_that_changes_the_points_changes_the_maximum(course):
    instructor = InstructorFactory()
    quiz, attempt = _graded(course, {1: {"choice": "q1-1"}, 2: {"choice": "q2-2"}})
    corrected = quiz.question_snapshot("q2")
    corrected["points"] = "3"
    services.quiz_regrade(
        quiz=quiz,
        question_id="q2",
        corrected_question=corrected,
        actor=instructor,
        reason="配点の修正",
    )
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score, attempt.percentage) == (
        Decimal("1.00"),
        Decimal("4.00"),
        Decimal("25.00"),
    )

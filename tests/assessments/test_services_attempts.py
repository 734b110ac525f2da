"""Attempts through the services: start, resume, save with versions, submit once, time limit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from lms.assessments import services
from lms.assessments.models import Answer, Attempt, ScoreChange
from lms.courses.models import LessonProgress
from tests.factories import assessments as qf
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English (the msgids); the Japanese catalogue is filled later.
    with translation.override("en"):
        yield


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="quizzes", lessons=2)


def _answers(attempt):
    return {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}


def _right_answers(attempt):
    """The correct response for every automatically graded question of the attempt."""
    responses = {}
    for answer in Answer.objects.filter(attempt=attempt):
        q = answer.question
        if q["type"] in ("single", "true_false"):
            responses[answer.position] = {
                "choice": next(c["id"] for c in q["choices"] if c["correct"])
            }
        elif q["type"] == "multiple":
            responses[answer.position] = {
                "choices": [c["id"] for c in q["choices"] if c["correct"]]
            }
        elif q["type"] == "short_answer":
            responses[answer.position] = {"text": q["accepted_answers"][0]}
        elif q["type"] == "numeric":
            responses[answer.position] = {"value": q["answer"]}
        elif q["type"] == "ordering":
            responses[answer.position] = {"order": [i["id"] for i in q["items"]]}
    return responses


def test_start_snapshots_every_question_and_numbers_attempts(course):
    quiz = qf.make_quiz(course, questions=qf.every_type())
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    assert attempt.number == 1
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.max_score == Decimal("13")
    answers = _answers(attempt)
    assert list(answers) == [
        "q-single",
        "q-multiple",
        "q-tf",
        "q-short",
        "q-numeric",
        "q-ordering",
        "q-essay",
    ]
    single = answers["q-single"].question
    assert single["text"] == "<p>地域の資源を見つける最初の一歩は？</p>"
    assert [c["id"] for c in single["choices"]] == ["q-single-1", "q-single-2", "q-single-3"]
    assert single["choices"][0]["correct"] is True
    assert answers["q-tf"].question["choices"] == [
        {
            "id": "true",
            "text": "True",
            "correct": False,
            "feedback": "繰り返すことで関係が深まります。",
        },
        {"id": "false", "text": "False", "correct": True, "feedback": ""},
    ]
    ordering = answers["q-ordering"].question
    assert [i["text"] for i in ordering["items"]] == ["調査", "企画", "実行", "評価"]
    assert ordering["display_order"] != [i["id"] for i in ordering["items"]]  # shown shuffled

    # Starting again resumes the attempt in progress.
    assert services.attempt_start(quiz=quiz, user=trainee).pk == attempt.pk
    services.attempt_submit(attempt=attempt)
    second = services.attempt_start(quiz=quiz, user=trainee)
    assert second.number == 2


def test_editing_the_quiz_never_changes_an_attempt(course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1")])
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    import json

    quiz.questions = json.dumps([qf.single("q1", text="書き換えた問題")])
    quiz.save()
    answer = Answer.objects.get(attempt=attempt)
    assert answer.question["text"] == "<p>地域の資源を見つける最初の一歩は？</p>"


def test_only_active_trainees_may_start(course):
    quiz = qf.make_quiz(course)
    with pytest.raises(services.AttemptError, match="Enroll in the course"):
        services.attempt_start(quiz=quiz, user=TraineeFactory())


def test_open_window_and_attempt_limit(course):
    now = timezone.now()
    trainee = qf.enrolled_trainee(course)
    later = qf.make_quiz(course, opens_at=now + datetime.timedelta(days=1), title="later")
    with pytest.raises(services.AttemptError, match="not open yet"):
        services.attempt_start(quiz=later, user=trainee)
    closed = qf.make_quiz(course, closes_at=now - datetime.timedelta(days=1), title="closed")
    with pytest.raises(services.AttemptError, match="has closed"):
        services.attempt_start(quiz=closed, user=trainee)
    once = qf.make_quiz(course, max_attempts=1, title="once")
    services.attempt_submit(attempt=services.attempt_start(quiz=once, user=trainee))
    with pytest.raises(services.AttemptError, match="used all your attempts"):
        services.attempt_start(quiz=once, user=trainee)


def test_random_draw_takes_n_questions_of_a_category(course):
    basics = qf.category()
    questions = [qf.single(f"b{i}", category=basics) for i in range(5)] + [qf.essay("e1")]
    quiz = qf.make_quiz(course, questions=questions, draw={basics: 2})
    assert quiz.question_count == 3
    seen = set()
    for _ in range(6):
        attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
        ids = list(Answer.objects.filter(attempt=attempt).values_list("question_id", flat=True))
        assert len(ids) == 3 and ids[-1] == "e1"
        assert all(i.startswith("b") for i in ids[:2])
        assert (
            Answer.objects.get(attempt=attempt, question_id=ids[0]).question["category"] == "basics"
        )
        seen.update(ids[:2])
    assert len(seen) > 2  # really random, not always the first two


def test_shuffled_choices_keep_their_ids(course):
    quiz = qf.make_quiz(course, questions=[qf.multiple("m")], shuffle_choices=True)
    orders = set()
    for _ in range(8):
        attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
        choices = Answer.objects.get(attempt=attempt).question["choices"]
        assert sorted(c["id"] for c in choices) == ["m-1", "m-2", "m-3", "m-4"]
        orders.add(tuple(c["id"] for c in choices))
    assert len(orders) > 1


def test_save_submit_and_grade_all_types(course):
    quiz = qf.make_quiz(course, questions=qf.every_type()[:-1], pass_mark=80)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    attempt = services.answers_save(
        attempt=attempt, responses=_right_answers(attempt), version=attempt.version
    )
    assert attempt.version == 2
    result = services.attempt_submit(attempt=attempt)
    assert result.status == Attempt.Status.GRADED
    assert (result.score, result.max_score, result.percentage) == (
        Decimal("8.00"),
        Decimal("8.00"),
        Decimal("100.00"),
    )
    assert result.passed is True


def test_a_stale_save_is_refused_and_loses_nothing(course):
    quiz = qf.make_quiz(course, questions=[qf.short_answer("s1"), qf.short_answer("s2")])
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    services.answer_save(attempt=attempt, position=1, response={"text": "新しい答え"}, version=1)
    with pytest.raises(services.StaleAnswerError, match="out of date"):
        services.answer_save(attempt=attempt, position=1, response={"text": "古い答え"}, version=1)
    assert Answer.objects.get(attempt=attempt, position=1).response == {"text": "新しい答え"}


def test_bad_responses_are_refused_with_a_message(course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.ordering("o1")])
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    with pytest.raises(services.AttemptError, match="Choose one of the choices"):
        services.answer_save(attempt=attempt, position=1, response={"choice": "nope"}, version=1)
    with pytest.raises(services.AttemptError, match="every item"):
        services.answer_save(attempt=attempt, position=2, response={"order": ["o1-i1"]}, version=1)
    with pytest.raises(services.AttemptError):
        services.answer_save(attempt=attempt, position=9, response={}, version=1)


def test_submitting_twice_gives_one_grade(course):
    quiz = qf.make_quiz(course)
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    services.answer_save(attempt=attempt, position=1, response={"choice": "q1-1"}, version=1)
    first = services.attempt_submit(attempt=attempt)
    submitted_at = first.submitted_at
    second = services.attempt_submit(attempt=attempt, now=timezone.now() + datetime.timedelta(1))
    assert second.submitted_at == submitted_at and second.score == first.score
    with pytest.raises(services.AttemptClosedError):
        services.answer_save(attempt=attempt, position=1, response={"choice": "q1-2"}, version=2)


def test_time_limit_refuses_late_answers_and_grades_what_was_saved(course):
    quiz = qf.make_quiz(
        course,
        questions=[qf.single("q1"), qf.single("q2")],
        time_limit_minutes=10,
        grace_seconds=30,
    )
    start = timezone.now()
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course), now=start)
    assert attempt.deadline_at == start + datetime.timedelta(minutes=10)
    services.answer_save(
        attempt=attempt,
        position=1,
        response={"choice": "q1-1"},
        version=1,
        now=start + datetime.timedelta(minutes=5),
    )
    # Within the grace period: accepted.
    services.answer_save(
        attempt=attempt,
        position=2,
        response={"choice": "q2-2"},
        version=2,
        now=start + datetime.timedelta(minutes=10, seconds=20),
    )
    with pytest.raises(services.AttemptClosedError, match="time limit has passed"):
        services.answer_save(
            attempt=attempt,
            position=2,
            response={"choice": "q2-1"},
            version=3,
            now=start + datetime.timedelta(minutes=10, seconds=31),
        )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out
    assert attempt.score == Decimal("1.00")  # q1 right, q2 wrong as saved
    assert Answer.objects.get(attempt=attempt, position=2).response == {"choice": "q2-2"}


def test_expire_overdue_closes_abandoned_attempts(course):
    quiz = qf.make_quiz(course, time_limit_minutes=5)
    start = timezone.now() - datetime.timedelta(minutes=10)
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course), now=start)
    other = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    assert services.attempt_expire_overdue() == 1
    attempt.refresh_from_db()
    other.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out
    assert other.status == Attempt.Status.IN_PROGRESS


def test_passing_a_lesson_quiz_completes_the_lesson(course):
    lesson = lessons_of(course)[0]
    quiz = qf.make_quiz(course, lesson=lesson)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.answer_save(attempt=attempt, position=1, response={"choice": "q1-2"}, version=1)
    services.attempt_submit(attempt=attempt)
    assert not LessonProgress.objects.filter(lesson=lesson).exists()  # failed: not complete
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.answer_save(attempt=attempt, position=1, response={"choice": "q1-1"}, version=1)
    assert services.attempt_submit(attempt=attempt).passed
    assert LessonProgress.objects.filter(lesson=lesson, enrollment__user=trainee).exists()


def test_essays_wait_for_manual_grading(course):
    instructor = TraineeFactory()
    lesson = lessons_of(course)[1]
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.essay("e1")], lesson=lesson)
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    services.answers_save(
        attempt=attempt, responses={1: {"choice": "q1-1"}, 2: {"text": "棚田の保全"}}, version=1
    )
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is None
    essay = Answer.objects.get(attempt=attempt, position=2)
    assert essay.needs_manual and essay.score is None
    with pytest.raises(services.AttemptError, match="from 0 to 5"):
        services.answer_grade_manually(answer=essay, actor=instructor, score="9")
    services.answer_grade_manually(answer=essay, actor=instructor, score="4", comment="具体的です")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert (attempt.score, attempt.percentage, attempt.passed) == (
        Decimal("5.00"),
        Decimal("83.33"),
        True,
    )
    change = ScoreChange.objects.get(answer=essay)
    assert (change.kind, change.old_score, change.new_score, change.actor) == (
        "manual_grade",
        None,
        Decimal("4.00"),
        instructor,
    )
    assert LessonProgress.objects.filter(lesson=lesson).exists()
    from lms.courses.models import CourseLogEntry

    assert CourseLogEntry.objects.filter(action="assessments.manual_grade").count() == 1


def test_an_empty_essay_scores_zero_without_waiting(course):
    quiz = qf.make_quiz(course, questions=[qf.essay("e1")])
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.status == Attempt.Status.GRADED and attempt.score == Decimal("0.00")


def test_the_scheduler_task_expires_overdue_attempts(course):
    from lms.assessments.tasks import expire_overdue_attempts

    quiz = qf.make_quiz(course, time_limit_minutes=5)
    start = timezone.now() - datetime.timedelta(minutes=6)
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course), now=start)
    result = expire_overdue_attempts.enqueue()
    assert result.return_value == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out

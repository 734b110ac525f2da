"""Regrading a corrected question from the admin: preview, then every answer graded again."""

from decimal import Decimal

import pytest

from lms.assessments.models import Answer, ScoreChange
from lms.assessments.statistics import quiz_statistics
from lms.courses import services as course_services
from lms.courses.models import CourseInstructor, CourseLogEntry
from tests.assessments.test_admin_grading import (
    essay_block,
    make_quiz,
    page,
    single_block,
    take,
)
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="taught", title="空き家活用講座")


@pytest.fixture
def instructor(course):
    user = InstructorFactory()
    CourseInstructor(page=course, user=user).save()
    return user


@pytest.fixture
def quiz(course):
    return make_quiz(course, single_block(correct="c1"), essay_block())


@pytest.fixture
def attempts(course, quiz):
    made = {}
    for name, choice in (("right_before", "c1"), ("right_after", "c2")):
        trainee = TraineeFactory(last_name=name)
        course_services.enrollment_create(user=trainee, course=course)
        made[name] = take(quiz, trainee, {"q-single": {"choice": choice}})
    return made


def correct_the_quiz(quiz):
    """The instructor fixes the question: 北岳 (c2) was the right answer after all."""
    quiz.questions = [single_block(correct="c2"), essay_block()]
    quiz.save()


def single_answer(attempt):
    return Answer.objects.get(attempt=attempt, question_id="q-single")


def test_the_preview_shows_what_would_change_and_writes_nothing(client, instructor, quiz, attempts):
    correct_the_quiz(quiz)
    client.force_login(instructor)
    response = client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/", {"question": "q-single"})
    assert response.status_code == 200
    text = page(response)
    assert "right_before" in text and "right_after" in text
    assert 'name="reason"' in text
    assert not ScoreChange.objects.exists()
    assert single_answer(attempts["right_before"]).score == Decimal("2.00")


def test_regrading_changes_scores_keeps_the_original_and_records_it(
    client, instructor, quiz, attempts
):
    correct_the_quiz(quiz)
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/",
        {"question": "q-single", "reason": "正解の設定誤りを修正"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/")
    before = single_answer(attempts["right_before"])
    after = single_answer(attempts["right_after"])
    assert (before.score, after.score) == (Decimal("0.00"), Decimal("2.00"))
    # The question as the trainee saw it stays; the corrected one is kept beside it.
    assert [c["correct"] for c in before.question["choices"] if c["id"] == "c1"] == [True]
    assert [c["correct"] for c in before.corrected_question["choices"] if c["id"] == "c2"] == [True]
    changes = ScoreChange.objects.filter(kind=ScoreChange.Kind.REGRADE).order_by("attempt_id")
    assert [(c.old_score, c.new_score, c.reason, c.actor) for c in changes] == [
        (Decimal("2.00"), Decimal("0.00"), "正解の設定誤りを修正", instructor),
        (Decimal("0.00"), Decimal("2.00"), "正解の設定誤りを修正", instructor),
    ]
    assert CourseLogEntry.objects.filter(action="assessments.regrade", object_id=str(quiz.pk))
    # The statistics follow the corrected question: 北岳 is now the correct choice.
    single = quiz_statistics(quiz).questions[0]
    assert [(f.choice.text, f.choice.correct, f.count) for f in single.choices] == [
        ("富士山", False, 1),
        ("北岳", True, 1),
        ("奥穂高岳", False, 0),
    ]
    # The attempt page says the answer was graded against the corrected question.
    text = page(client.get(f"/admin/quiz-attempts/{attempts['right_before'].pk}/"))
    assert "正解の設定誤りを修正" in text


def test_a_regrade_needs_a_reason_and_a_question(client, instructor, quiz, attempts):
    correct_the_quiz(quiz)
    client.force_login(instructor)
    url = f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/"
    assert client.post(url, {"question": "q-single", "reason": ""}).status_code == 400
    assert client.post(url, {"question": "no-such-question", "reason": "x"}).status_code == 400
    assert not ScoreChange.objects.exists()


def test_an_essay_cannot_be_regraded(client, instructor, quiz, attempts):
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/", {"question": "q-essay", "reason": "x"}
    )
    assert response.status_code == 400
    assert not ScoreChange.objects.exists()

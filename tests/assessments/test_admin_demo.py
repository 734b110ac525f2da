"""The demo quizzes: two in the demo course, one with an essay; what the demo instructor sees."""

import pytest
from django.contrib.auth import get_user_model

from lms.assessments.models import Answer, Attempt, Quiz, QuizPage, ScoreChange
from lms.demo.seed import seed_all
from tests.assessments.test_admin_grading import page

pytestmark = pytest.mark.django_db


def counts():
    return {
        "quizzes": Quiz.objects.count(),
        "pages": QuizPage.objects.count(),
        "attempts": Attempt.objects.count(),
        "answers": Answer.objects.count(),
        "changes": ScoreChange.objects.count(),
        "users": get_user_model().objects.count(),
    }


def test_the_demo_has_two_japanese_quizzes_in_the_demo_course(demo_site):
    quizzes = list(Quiz.objects.order_by("pk"))
    assert len(quizzes) == 2
    lesson_quiz, page_quiz = quizzes
    assert {q.course.slug for q in quizzes} == {"regional-producer-basics"}
    assert lesson_quiz.lesson.slug == "lesson-03-regional-producer-role"
    assert "確認テスト" in lesson_quiz.title and "確認テスト" in page_quiz.title
    types = {block.block_type for block in lesson_quiz.questions}
    assert types == {"single", "true_false", "multiple", "short_answer", "numeric", "ordering"}
    assert "essay" in {block.block_type for block in page_quiz.questions}
    # One sits in the lesson's quiz block, the other is a page of its own in a module.
    lesson_body = lesson_quiz.lesson.specific.body
    assert any(b.block_type == "quiz" and b.value["quiz"].pk == lesson_quiz.pk for b in lesson_body)
    quiz_page = QuizPage.objects.get(quiz=page_quiz)
    assert quiz_page.live and quiz_page.get_parent().slug == "module-02-housing-and-salon"


def test_the_demo_attempts_fill_the_statistics_and_the_grading_queue(client, demo_site):
    lesson_quiz, page_quiz = Quiz.objects.order_by("pk")
    assert Attempt.objects.filter(quiz=lesson_quiz, status=Attempt.Status.GRADED).count() == 2
    waiting = Attempt.objects.get(quiz=page_quiz, status=Attempt.Status.SUBMITTED)
    assert waiting.user.email == "trainee2@example.com"
    graded = Attempt.objects.get(quiz=page_quiz, status=Attempt.Status.GRADED)
    assert ScoreChange.objects.filter(attempt=graded, kind="manual_grade").exists()
    # The main demo trainee starts fresh.
    assert not Attempt.objects.filter(user__email="trainee@example.com").exists()

    client.force_login(get_user_model().objects.get(email="instructor@example.com"))
    queue = page(client.get("/admin/quiz-attempts/grading/"))
    assert f"/admin/quiz-attempts/{waiting.pk}/" in queue
    stats = page(client.get(f"/admin/quiz-attempts/quiz/{lesson_quiz.pk}/statistics/"))
    assert "「100年コミュニティ」の「100年」が表しているものはどれですか。" in stats
    assert "三つの世代にわたって受け継がれていく暮らしの場" in stats


def test_seeding_twice_creates_nothing_new(demo_site):
    first = counts()
    seed_all(log=lambda message: None)
    assert counts() == first

"""Query budgets: the attempt page and submitting cost the same at 5 and 50 questions."""

import pytest

from lms.assessments import services
from lms.courses.models import LessonProgress
from tests.factories import assessments as qf
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db

# The attempt page: session, user, attempt with its quiz and lesson, its answers (with
# their snapshots); the page shell's navigation comes from the cache after the first view.
ATTEMPT_PAGE_QUERIES = 5
# Saving one question by fetch: session, user, attempt, answers, then in the transaction
# the locked attempt, the answers to save, their update and the new version.
SAVE_QUERIES = 10
# Submitting (the form's POST): session, user, attempt; then in a savepoint the locked
# attempt (with quiz, lesson and enrollment), the answers, one bulk update of their grades
# and the attempt's result. Passing a lesson's quiz then completes the lesson through
# ``lesson_complete`` (15 more: the progress row and the enrollment's last lesson, then
# the certificates app's eligibility check on ``completion_inputs_changed`` — the
# enrollment, required lessons and their progress, required quizzes and passes, the
# fieldwork requirement), still the same at any number of questions.
SUBMIT_QUERIES = 9
SUBMIT_COMPLETING_LESSON_QUERIES = 24


def _mixed(count):
    makers = [qf.single, qf.multiple, qf.true_false, qf.short_answer, qf.numeric, qf.ordering]
    return [makers[n % len(makers)](f"q{n}") for n in range(count)]


def _attempt(site_tree, count, *, layout, slug, lesson=False):
    # Two lessons: passing completes one lesson, not the course (whose completion issues a
    # certificate, the certificates app's own budget).
    course = course_tree(site_tree, slug=slug, lessons=2)
    fields = {"lesson": lessons_of(course)[0]} if lesson else {}
    questions = [qf.single(f"q{n}") for n in range(count)] if lesson else _mixed(count)
    quiz = qf.make_quiz(course, questions=questions, layout=layout, **fields)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    if lesson:  # every answer right, so the pass completes the lesson
        responses = {n + 1: {"choice": f"q{n}-1"} for n in range(count)}
        attempt = services.answers_save(attempt=attempt, responses=responses, version=1)
    return trainee, attempt


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("layout", ["all_on_one_page", "one_per_page"])
def test_attempt_page(client, site_tree, django_assert_num_queries, count, layout):
    trainee, attempt = _attempt(site_tree, count, layout=layout, slug=f"c{count}")
    client.force_login(trainee)
    url = f"/quizzes/attempts/{attempt.pk}/"
    assert client.get(url).status_code == 200  # warms the navigation cache
    with django_assert_num_queries(ATTEMPT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    shown = count if layout == "all_on_one_page" else 1
    assert response.content.decode().count('name="positions"') == shown


@pytest.mark.parametrize("count", [5, 50])
def test_saving_one_answer_by_fetch(client, site_tree, django_assert_num_queries, count):
    trainee, attempt = _attempt(site_tree, count, layout="all_on_one_page", slug=f"s{count}")
    client.force_login(trainee)
    with django_assert_num_queries(SAVE_QUERIES):
        response = client.post(
            f"/quizzes/attempts/{attempt.pk}/save/",
            {"version": 1, "positions": 1, "q1-choice": "q0-1"},
        )
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("lesson", [False, True])
def test_submit(client, site_tree, django_assert_num_queries, count, lesson):
    trainee, attempt = _attempt(
        site_tree, count, layout="all_on_one_page", slug=f"f{count}", lesson=lesson
    )
    client.force_login(trainee)
    expected = SUBMIT_COMPLETING_LESSON_QUERIES if lesson else SUBMIT_QUERIES
    with django_assert_num_queries(expected):
        response = client.post(f"/quizzes/attempts/{attempt.pk}/finish/")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "graded"
    assert attempt.passed is lesson
    assert LessonProgress.objects.filter(enrollment__user=trainee).exists() is lesson

"""Permission matrix: every attempt URL as its owner, another trainee, instructors, anonymous."""

import pytest

from lms.assessments import services
from lms.assessments.models import Answer, Attempt
from tests.factories import assessments as qf
from tests.factories.accounts import InstructorFactory, UserFactory
from tests.factories.courses import cohort, course_tree

pytestmark = pytest.mark.django_db

URLS = [
    ("get", "/quizzes/attempts/{pk}/"),
    ("get", "/quizzes/attempts/{pk}/?page=2"),
    ("post", "/quizzes/attempts/{pk}/"),
    ("post", "/quizzes/attempts/{pk}/save/"),
    ("get", "/quizzes/attempts/{pk}/finish/"),
    ("post", "/quizzes/attempts/{pk}/finish/"),
    ("get", "/quizzes/attempts/{pk}/result/"),
    ("get", "/en/quizzes/attempts/{pk}/"),
    ("post", "/en/quizzes/attempts/{pk}/finish/"),
]


@pytest.fixture
def setting(site_tree):
    course = course_tree(site_tree, slug="matrix", lessons=1)
    other_course = course_tree(site_tree, slug="other", lessons=1)
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.single("q2")])
    owner = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=owner)
    classmate = qf.enrolled_trainee(course)
    services.attempt_start(quiz=quiz, user=classmate)
    other_instructor = InstructorFactory()
    cohort(other_course).instructors.add(other_instructor)
    own_instructor = InstructorFactory()
    cohort(course, name="第2期").instructors.add(own_instructor)
    return {
        "attempt": attempt,
        "owner": owner,
        "classmate": classmate,
        "other_instructor": other_instructor,
        "own_instructor": own_instructor,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def _call(client, method, url, attempt):
    url = url.format(pk=attempt.pk)
    if method == "get":
        return client.get(url)
    return client.post(url, {"version": "1", "positions": "1", "q1-choice": "q1-2"})


@pytest.mark.parametrize("who", ["classmate", "other_instructor", "own_instructor", "superuser"])
@pytest.mark.parametrize(("method", "url"), URLS)
def test_someone_elses_attempt_is_a_404(client, setting, who, method, url):
    attempt = setting["attempt"]
    client.force_login(setting[who])
    response = _call(client, method, url, attempt)
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and attempt.version == 1
    assert Answer.objects.get(attempt=attempt, position=1).response == {}


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_is_sent_to_log_in(client, setting, method, url):
    attempt = setting["attempt"]
    response = _call(client, method, url, attempt)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and attempt.version == 1


@pytest.mark.parametrize(("method", "url"), URLS)
def test_the_owner_gets_through(client, setting, method, url):
    attempt = setting["attempt"]
    client.force_login(setting["owner"])
    response = _call(client, method, url, attempt)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "/accounts/login/" not in response.url


def test_missing_attempt_and_quiz_are_404(client, setting):
    client.force_login(setting["owner"])
    assert client.get("/quizzes/attempts/999999/").status_code == 404
    assert client.get("/quizzes/999999/").status_code == 404
    assert client.post("/quizzes/999999/start/").status_code == 404

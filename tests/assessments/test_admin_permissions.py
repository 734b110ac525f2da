"""Every instructor URL of assessments as its instructor, another course's instructor, a trainee
(the attempt's owner) and an anonymous visitor."""

import pytest

from lms.assessments.models import Answer, Attempt, ScoreChange
from lms.courses import services as course_services
from lms.courses.models import Cohort, CourseInstructor
from tests.assessments.test_admin_grading import essay_block, make_quiz, single_block, take
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(site_tree):
    taught = course_tree(site_tree, slug="taught", title="空き家活用講座")
    other = course_tree(site_tree, slug="other", title="共生サロン講座")
    instructor = InstructorFactory()
    CourseInstructor(page=taught, user=instructor).save()
    other_instructor = InstructorFactory()
    CourseInstructor(page=other, user=other_instructor).save()
    trainee = TraineeFactory()
    course_services.enrollment_create(user=trainee, course=taught)
    quiz = make_quiz(taught, single_block(), essay_block())
    attempt = take(quiz, trainee, {"q-single": {"choice": "c1"}, "q-essay": {"text": "回答"}})
    return {
        "taught": taught,
        "quiz": quiz,
        "attempt": attempt,
        "answer": Answer.objects.get(attempt=attempt, question_id="q-essay"),
        "instructor": instructor,
        "other_instructor": other_instructor,
        "trainee": trainee,
    }


def object_urls(world):
    attempt, quiz = world["attempt"], world["quiz"]
    return [
        f"/admin/quiz-attempts/{attempt.pk}/",
        f"/admin/quiz-attempts/history/{attempt.pk}/",
        f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/",
        f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics.csv",
        f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/",
    ]


LISTINGS = ["/admin/quiz-attempts/", "/admin/quiz-attempts/grading/"]


def grade_post(client, world, score="5"):
    answer = world["answer"]
    return client.post(
        f"/admin/quiz-attempts/{world['attempt'].pk}/",
        {"action": "grade", "answer": answer.pk, f"grade-{answer.pk}-score": score},
    )


def regrade_post(client, world):
    return client.post(
        f"/admin/quiz-attempts/quiz/{world['quiz'].pk}/regrade/",
        {"question": "q-single", "reason": "修正"},
    )


def override_post(client, world):
    return client.post(
        f"/admin/quiz-attempts/{world['attempt'].pk}/",
        {
            "action": "override_attempt",
            "attempt-override-percentage": "0",
            "attempt-override-reason": "x",
        },
    )


def assert_nothing_changed(world):
    world["answer"].refresh_from_db()
    assert world["answer"].score is None
    assert not ScoreChange.objects.exists()
    assert Attempt.objects.get(pk=world["attempt"].pk).status == Attempt.Status.SUBMITTED


def test_the_courses_instructor_reaches_every_url(client, world):
    client.force_login(world["instructor"])
    for url in object_urls(world) + LISTINGS:
        assert client.get(url).status_code == 200, url
    assert (
        f"/admin/quiz-attempts/{world['attempt'].pk}/" in client.get(LISTINGS[0]).content.decode()
    )


def test_a_superuser_reaches_every_url(client, world):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in object_urls(world) + LISTINGS:
        assert client.get(url).status_code == 200, url


def test_a_cohort_instructor_reaches_only_their_cohorts_attempts(client, world):
    """An instructor named only on a cohort grades that cohort's trainees (the enrollment
    admin's rule), not the course's other trainees."""
    group = cohort(world["taught"])
    cohort_teacher = InstructorFactory()
    Cohort.objects.get(pk=group.pk).instructors.add(cohort_teacher)
    client.force_login(cohort_teacher)
    attempt_url = f"/admin/quiz-attempts/{world['attempt'].pk}/"
    assert client.get(attempt_url).status_code == 404
    assert attempt_url not in client.get(LISTINGS[0]).content.decode()

    world["attempt"].enrollment.__class__.objects.filter(pk=world["attempt"].enrollment_id).update(
        cohort=group
    )
    assert client.get(attempt_url).status_code == 200
    assert attempt_url in client.get(LISTINGS[0]).content.decode()


def test_another_courses_instructor_gets_404_and_changes_nothing(client, world):
    client.force_login(world["other_instructor"])
    for url in object_urls(world):
        assert client.get(url).status_code == 404, url
    for url in LISTINGS:
        response = client.get(url)
        assert response.status_code == 200
        assert f"/admin/quiz-attempts/{world['attempt'].pk}/" not in response.content.decode()
    assert grade_post(client, world).status_code == 404
    assert regrade_post(client, world).status_code == 404
    assert override_post(client, world).status_code == 404
    assert_nothing_changed(world)


def test_the_trainee_who_owns_the_attempt_is_sent_to_the_admin_login(client, world):
    client.force_login(world["trainee"])
    for url in object_urls(world) + LISTINGS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert grade_post(client, world).status_code == 302
    assert regrade_post(client, world).status_code == 302
    assert_nothing_changed(world)


def test_an_instructor_without_the_role_is_refused(client, world):
    """Named on the course but no longer in the Instructors group (no admin access)."""
    former = UserFactory()
    CourseInstructor(page=world["taught"], user=former).save()
    client.force_login(former)
    for url in object_urls(world) + LISTINGS:
        assert client.get(url).status_code in (302, 403), url
    assert grade_post(client, world).status_code in (302, 403)
    assert_nothing_changed(world)


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    for url in object_urls(world) + LISTINGS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert grade_post(client, world).status_code == 302
    assert regrade_post(client, world).status_code == 302
    assert_nothing_changed(world)


def test_the_menu_shows_the_grading_queue_to_instructors(client, world):
    client.force_login(world["instructor"])
    assert "/admin/quiz-attempts/grading/" in client.get("/admin/").content.decode()

"""Who can read lessons: through every URL, as the wrong user."""

import pytest

from lms.courses import services
from lms.courses.models import CourseInstructor, Enrollment
from tests.factories.accounts import InstructorFactory, PartnerFactory, TraineeFactory
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db

LESSON_TEXT = "レッスン1の本文"


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="basics", lessons=3)


@pytest.fixture
def lesson_url(course):
    return lessons_of(course)[0].url


def test_course_page_is_public(client, course):
    response = client.get(course.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert course.title in html
    assert "レッスン1" in html  # the outline lists lesson titles
    assert LESSON_TEXT not in html


def test_anonymous_visitor_sees_what_the_lesson_is_and_how_to_enroll(client, course, lesson_url):
    response = client.get(lesson_url)
    assert response.status_code == 403
    html = response.content.decode()
    assert LESSON_TEXT not in html
    assert "レッスン1" in html
    assert course.url in html  # the way to the enroll button


@pytest.mark.parametrize("factory", [TraineeFactory, PartnerFactory, InstructorFactory])
def test_users_outside_the_course_cannot_read_lessons(client, course, lesson_url, factory):
    client.force_login(factory())
    response = client.get(lesson_url)
    assert response.status_code == 403
    assert LESSON_TEXT not in response.content.decode()


@pytest.mark.parametrize("status", ["pending", "waitlisted", "withdrawn", "rejected"])
def test_enrollments_that_are_not_active_cannot_read_lessons(client, course, lesson_url, status):
    trainee = TraineeFactory()
    Enrollment.objects.create(user=trainee, course=course, status=status)
    client.force_login(trainee)
    response = client.get(lesson_url)
    assert response.status_code == 403
    assert LESSON_TEXT not in response.content.decode()


def test_active_trainee_reads_the_lesson(client, course, lesson_url):
    trainee = TraineeFactory()
    services.enrollment_create(user=trainee, course=course)
    client.force_login(trainee)
    response = client.get(lesson_url)
    assert response.status_code == 200
    assert LESSON_TEXT in response.content.decode()


def test_the_courses_instructor_reads_the_lesson(client, course, lesson_url):
    instructor = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=instructor)
    client.force_login(instructor)
    assert client.get(lesson_url).status_code == 200


def test_outsiders_cannot_mark_lessons_complete_or_continue(client, course):
    lesson = lessons_of(course)[0]
    outsider = TraineeFactory()
    client.force_login(outsider)
    response = client.post(f"/learn/lessons/{lesson.pk}/complete/")
    assert response.status_code == 403
    assert client.get(f"/learn/courses/{course.pk}/continue/").status_code == 404


def test_a_trainee_cannot_withdraw_someone_elses_enrollment(client, course):
    victim = TraineeFactory()
    enrollment = services.enrollment_create(user=victim, course=course)
    client.force_login(TraineeFactory())
    response = client.post(f"/learn/enrollments/{enrollment.pk}/withdraw/")
    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_enroll_is_post_only_and_needs_login(client, course):
    assert client.get(f"/learn/courses/{course.pk}/enroll/").status_code == 405
    response = client.post(f"/learn/courses/{course.pk}/enroll/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Enrollment.objects.exists()


def test_enroll_requires_a_csrf_token(course):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(TraineeFactory())
    response = client.post(f"/learn/courses/{course.pk}/enroll/")
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


def test_lessons_are_not_in_wagtail_search_for_outsiders(client, course):
    """Wagtail's search view is not exposed; only the admin search can find lesson text."""
    response = client.get("/search/?q=空き家")
    assert LESSON_TEXT not in response.content.decode()

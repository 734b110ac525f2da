"""Instructors manage the cohorts of the courses they teach, and only those."""

import datetime
import html

import pytest

from lms.courses.models import Cohort, CourseInstructor
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree

pytestmark = pytest.mark.django_db

BASE = "/admin/snippets/courses/cohort/"


@pytest.fixture
def courses(site_tree):
    taught = course_tree(site_tree, slug="taught", title="空き家活用講座")
    other = course_tree(site_tree, slug="other", title="共生サロン講座")
    return taught, other


@pytest.fixture
def instructor(courses):
    user = InstructorFactory()
    CourseInstructor(page=courses[0], user=user).save()
    return user


@pytest.fixture
def cohorts(courses):
    return cohort(courses[0], name="空き家第1期"), cohort(courses[1], name="サロン第1期")


def _form(course, name, **extra):
    today = datetime.date.today()
    data = {
        "course": course.pk,
        "name": name,
        "starts_on": (today + datetime.timedelta(days=30)).isoformat(),
        "ends_on": (today + datetime.timedelta(days=120)).isoformat(),
        "enrollment_opens_at": "",
        "enrollment_closes_at": "",
        "capacity": "20",
    }
    data.update(extra)
    return data


def _text(response):
    return html.unescape(response.content.decode())


def test_the_listing_shows_only_the_cohorts_of_courses_taught(client, instructor, cohorts):
    client.force_login(instructor)
    response = client.get(BASE)
    assert response.status_code == 200
    assert "空き家第1期" in _text(response)
    assert "サロン第1期" not in _text(response)


def test_an_instructor_edits_a_cohort_of_their_course(client, instructor, courses, cohorts):
    client.force_login(instructor)
    mine = cohorts[0]
    response = client.post(f"{BASE}edit/{mine.pk}/", _form(courses[0], "空き家第1期（改）"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "空き家第1期（改）"
    assert mine.capacity == 20


@pytest.mark.parametrize("action", ["edit", "delete", "history", "usage"])
def test_another_course_s_cohort_is_refused_on_every_url(client, instructor, cohorts, action):
    client.force_login(instructor)
    theirs = cohorts[1]
    response = client.get(f"{BASE}{action}/{theirs.pk}/")
    # Wagtail answers a refused permission with a redirect to the dashboard and a message.
    assert response.status_code == 302
    assert response.url.rstrip("/") == "/admin"


def test_another_course_s_cohort_cannot_be_changed_or_deleted(client, instructor, courses, cohorts):
    client.force_login(instructor)
    theirs = cohorts[1]
    client.post(f"{BASE}edit/{theirs.pk}/", _form(courses[1], "乗っ取り"))
    client.post(f"{BASE}delete/{theirs.pk}/")
    theirs.refresh_from_db()
    assert theirs.name == "サロン第1期"


def test_the_form_offers_only_own_courses(client, instructor, courses):
    client.force_login(instructor)
    response = client.get(f"{BASE}add/")
    assert response.status_code == 200
    text = _text(response)
    assert "空き家活用講座" in text
    assert "共生サロン講座" not in text

    refused = client.post(f"{BASE}add/", _form(courses[1], "よその期"))
    assert refused.status_code == 200
    assert not Cohort.objects.filter(name="よその期").exists()

    accepted = client.post(f"{BASE}add/", _form(courses[0], "空き家第2期"))
    assert accepted.status_code == 302
    assert Cohort.objects.get(name="空き家第2期").course_id == courses[0].pk


def test_a_superuser_sees_every_cohort(client, cohorts):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    text = _text(client.get(BASE))
    assert "空き家第1期" in text and "サロン第1期" in text


def test_a_trainee_cannot_reach_cohorts(client, cohorts):
    client.force_login(TraineeFactory())
    response = client.get(BASE)
    assert response.status_code == 302
    assert "/admin/login/" in response.url

"""Records trainees depend on cannot be deleted from the admin, and no 500 happens."""

import pytest

from lms.courses import services
from lms.courses.models import Cohort, Enrollment
from tests.factories.accounts import TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, site_tree):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_a_cohort_with_enrollments_cannot_be_deleted(admin_client, site_tree):
    course = course_tree(site_tree, slug="c")
    group = cohort(course, capacity=3)
    services.enrollment_create(user=TraineeFactory(), course=course)
    response = admin_client.post(f"/admin/snippets/courses/cohort/delete/{group.pk}/", follow=True)
    assert response.status_code == 200
    assert "削除できません" in response.content.decode()
    assert Cohort.objects.filter(pk=group.pk).exists()


def test_a_trainee_with_enrollments_cannot_be_deleted(admin_client, site_tree):
    course = course_tree(site_tree, slug="c")
    trainee = TraineeFactory()
    services.enrollment_create(user=trainee, course=course)
    response = admin_client.post(f"/admin/users/delete/{trainee.pk}/", follow=True)
    assert response.status_code == 200
    assert "削除できません" in response.content.decode()
    assert Enrollment.objects.filter(user=trainee).exists()
    assert type(trainee).objects.filter(pk=trainee.pk).exists()


def test_trainees_cannot_open_lesson_previews(client, site_tree):
    course = course_tree(site_tree, slug="c")
    trainee = TraineeFactory()
    services.enrollment_create(user=trainee, course=course)
    client.force_login(trainee)
    lesson = lessons_of(course)[0]
    response = client.get(f"/admin/pages/{lesson.pk}/edit/preview/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url

"""Capacity under real concurrency: only meaningful on PostgreSQL (row locks)."""

import threading

import pytest
from django.db import connection

from lms.courses import services
from lms.courses.models import Enrollment
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort, course_tree


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_enrolling_into_five_seats_gives_exactly_five_active(site_tree):
    course = course_tree(site_tree, slug="popular")
    group = cohort(course, capacity=5)
    trainees = [TraineeFactory() for _ in range(20)]
    barrier = threading.Barrier(20)
    errors = []

    def enroll(user):
        try:
            barrier.wait(timeout=30)
            services.enrollment_create(user=user, course=course, cohort=group)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll, args=(t,)) for t in trainees]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    statuses = list(Enrollment.objects.filter(cohort=group).values_list("status", flat=True))
    assert statuses.count(Enrollment.Status.ACTIVE) == 5
    assert statuses.count(Enrollment.Status.WAITLISTED) == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_trainee_enrolling_twice_at_once_gets_one_enrollment(site_tree):
    course = course_tree(site_tree, slug="double")
    trainee = TraineeFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def enroll():
        try:
            barrier.wait(timeout=30)
            services.enrollment_create(user=trainee, course=course)
            outcomes.append("ok")
        except services.EnrollmentError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Enrollment.objects.filter(user=trainee, course=course).count() == 1

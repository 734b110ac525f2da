"""Courses, cohorts and enrollments at known distances from today, for the reminders tests."""

import datetime

import pytest
from django.utils import timezone

from lms.courses.models import Enrollment
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort, course_tree

DAY = datetime.timedelta(days=1)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - days * DAY


def enrolled(course, *, user=None, group=None, idle_days=20, approved_days=60, **fields):
    """An active enrollment, approved ``approved_days`` ago, last seen ``idle_days`` ago
    (``idle_days=None``: never since the approval)."""
    return Enrollment.objects.create(
        user=user or TraineeFactory(),
        course=course,
        cohort=group,
        status=fields.pop("status", Enrollment.Status.ACTIVE),
        created_at=days_ago(approved_days + 1),
        status_changed_at=days_ago(approved_days),
        last_activity_at=None if idle_days is None else days_ago(idle_days),
        **fields,
    )


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="akiya", title="空き家活用講座", lessons=2)


@pytest.fixture
def running(course):
    """A cohort that started 60 days ago and ends in 60 days: far from its deadline."""
    today = timezone.localdate()
    return cohort(course, name="第1期", starts_on=today - 60 * DAY, ends_on=today + 60 * DAY)


@pytest.fixture
def ending(course):
    """A cohort that ends in five days."""
    today = timezone.localdate()
    return cohort(course, name="第2期", starts_on=today - 90 * DAY, ends_on=today + 5 * DAY)

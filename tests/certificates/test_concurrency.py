"""One certificate per enrollment and distinct serials under real concurrency: only
meaningful on PostgreSQL (row locks)."""

import threading

import pytest
from django.db import connection

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment
from tests.factories.courses import course_tree

from . import factories as cf
from .factories import private_storage  # noqa: F401


def _completed_enrollments(course, count):
    """Completed enrollments without certificates yet (no design exists, so the renders
    that follow each commit fail at once instead of rendering)."""
    enrollments = [cf.enrolled(course, cf.trainee(email=f"c{n}@example.com")) for n in range(count)]
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
        status=Enrollment.Status.COMPLETED
    )
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def _run_in_threads(targets):
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def run(enrollment):
        try:
            barrier.wait(timeout=30)
            results.append(services.certificate_issue(enrollment=enrollment).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issue_for_one_enrollment_gives_one_certificate_and_one_serial(site_tree):
    course = course_tree(site_tree, slug="race", lessons=1)
    (enrollment,) = _completed_enrollments(course, 1)
    results, errors = _run_in_threads([enrollment] * 8)
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert Certificate.objects.values("serial").distinct().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_for_different_enrollments_get_consecutive_serials(site_tree):
    course = course_tree(site_tree, slug="many", lessons=1)
    enrollments = _completed_enrollments(course, 10)
    results, errors = _run_in_threads(enrollments)
    assert errors == []
    certificates = list(Certificate.objects.order_by("sequence"))
    assert len(certificates) == 10
    assert {c.enrollment_id for c in certificates} == {e.pk for e in enrollments}
    sequences = [c.sequence for c in certificates]
    assert sequences == list(range(sequences[0], sequences[0] + 10))
    assert len({c.serial for c in certificates}) == 10

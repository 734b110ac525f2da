"""One certificate per enrollment and distinct serials under real concurrency, and one new
certificate after a revocation however many ask at once: only meaningful on PostgreSQL
(row locks)."""

import threading

import pytest
from django.db import connection

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment
from tests.factories.accounts import UserFactory
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


def _run_in_threads(targets, action=None):
    action = action or (lambda enrollment: services.certificate_issue(enrollment=enrollment))
    barrier = threading.Barrier(len(targets))
    results, errors = [], []

    def run(target):
        try:
            barrier.wait(timeout=30)
            results.append(action(target).pk)
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_after_a_revocation_give_one_new_certificate(site_tree):
    """Eight administrators follow the same revocation at once while four automatic issues
    run for the enrollment: exactly one new certificate, which every request returns."""
    course = course_tree(site_tree, slug="again", lessons=1)
    (enrollment,) = _completed_enrollments(course, 1)
    admin = UserFactory(is_superuser=True)
    first = services.certificate_issue(enrollment=enrollment)
    revoked = services.certificate_revoke(certificate=first, actor=admin, reason="誤り")

    def act(kind):
        if kind == "again":
            return services.certificate_issue_after_revocation(
                certificate=revoked, actor=admin, reason="誤りでした"
            )
        return services.certificate_issue(enrollment=enrollment)

    results, errors = _run_in_threads(["again"] * 8 + ["automatic"] * 4, act)
    assert errors == []
    new = Certificate.objects.get(replaces=revoked)
    assert Certificate.objects.filter(enrollment=enrollment).count() == 2
    assert Certificate.objects.get(pk=revoked.pk).status == Certificate.Status.REVOKED
    # Each request returned the new certificate, or (an automatic issue that ran before
    # it) the revoked one: never a third.
    assert set(results) <= {new.pk, revoked.pk} and results.count(new.pk) >= 8
    assert Certificate.objects.values("serial").distinct().count() == 2

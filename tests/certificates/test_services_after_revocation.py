"""A new certificate after a revocation: only by the explicit action, under the rules of
every certificate, once per revoked certificate; the revoked one never changes."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone, translation

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.courses.models import CourseLogEntry, Enrollment, LessonProgress
from tests.factories.accounts import UserFactory
from tests.factories.courses import course_tree

from . import factories as cf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db

Status = Certificate.Status


@pytest.fixture
def course(site_tree):
    cf.templates()
    return course_tree(
        site_tree, slug="cert", lessons=2, title="基礎講座", total_hours=Decimal("12")
    )


@pytest.fixture
def admin(db):
    return UserFactory(is_superuser=True)


def _revoked(course, admin, user=None):
    certificate = cf.issued(course, user)
    return services.certificate_revoke(certificate=certificate, actor=admin, reason="誤って失効")


def _row(certificate):
    certificate = Certificate.objects.get(pk=certificate.pk)
    return model_to_dict(certificate) | {"created_at": certificate.created_at}


def test_a_revoked_certificate_is_followed_by_a_new_one_and_stays_revoked(
    course, admin, django_capture_on_commit_callbacks
):
    revoked = _revoked(course, admin)
    before = _row(revoked)
    user = revoked.enrollment.user
    user.last_name, user.last_name_kana = "佐藤", "さとう"
    user.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        new = services.certificate_issue_after_revocation(
            certificate=revoked, actor=admin, reason="失効は誤りでした"
        )
    assert len(callbacks) == 1  # the render task, as for every certificate
    assert _row(revoked) == before  # not a field of the revoked certificate changed
    new.refresh_from_db()
    assert new.status == Status.ISSUED and new.pdf_file and new.pdf_file != revoked.pdf_file
    assert new.serial != revoked.serial and new.code != revoked.code
    assert new.sequence == revoked.sequence + 1
    assert new.replaces == revoked and new.replacement_reason == "失効は誤りでした"
    assert new.issued_by == admin
    assert new.name == "佐藤 𠮷子"  # the name as now registered
    assert new.completed_on == revoked.completed_on  # the enrollment's completion
    assert new.enrollment_id == revoked.enrollment_id
    # The new certificate is the enrollment's certificate now.
    assert services.certificate_issue(enrollment=revoked.enrollment) == new
    assert list(Certificate.objects.current().filter(enrollment=revoked.enrollment)) == [new]

    entry = CourseLogEntry.objects.for_instance(revoked).get(
        action=services.LOG_ISSUE_AFTER_REVOCATION
    )
    assert entry.user == admin
    assert entry.data == {
        "reason": "失効は誤りでした",
        "serial": revoked.serial,
        "new_serial": new.serial,
    }
    issue = CourseLogEntry.objects.for_instance(new).get(action=services.LOG_ISSUE)
    assert issue.data == {
        "serial": new.serial,
        "automatic": False,
        "after_revocation": revoked.serial,
        "reason": "失効は誤りでした",
    }
    with translation.override("en"):
        assert entry.message == (
            f"Revoked certificate {revoked.serial} followed by the new certificate "
            f"{new.serial}. Reason: “失効は誤りでした”"
        )
        assert issue.message == (
            f"Certificate {new.serial} issued after the revocation of {revoked.serial}. "
            "Reason: “失効は誤りでした”"
        )


def test_a_second_request_returns_the_same_new_certificate(course, admin):
    revoked = _revoked(course, admin)
    first = services.certificate_issue_after_revocation(
        certificate=revoked, actor=admin, reason="誤り"
    )
    second = services.certificate_issue_after_revocation(
        certificate=revoked, actor=UserFactory(is_superuser=True), reason="二度目"
    )
    assert second == first
    assert Certificate.objects.filter(enrollment=revoked.enrollment).count() == 2
    assert CourseLogEntry.objects.filter(action=services.LOG_ISSUE_AFTER_REVOCATION).count() == 1


def test_the_reason_is_required_and_only_a_revoked_certificate_is_followed(course, admin):
    certificate = cf.issued(course)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.certificate_issue_after_revocation(
            certificate=certificate, actor=admin, reason="再発行"
        )
    assert raised.value.messages == [
        "Only a revoked certificate can be followed by a new certificate."
    ]
    services.certificate_revoke(certificate=certificate, actor=admin, reason="失効")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.certificate_issue_after_revocation(
            certificate=certificate, actor=admin, reason="   "
        )
    assert raised.value.message_dict == {"reason": ["Write the reason: it is kept in the history."]}
    assert Certificate.objects.count() == 1


def test_the_enrollment_must_still_qualify(course, admin):
    revoked = _revoked(course, admin)
    enrollment = revoked.enrollment
    # Withdrawn: refused with certificate_issue's own words.
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.certificate_issue_after_revocation(certificate=revoked, actor=admin, reason="再度")
    assert raised.value.messages == [
        "Only a trainee who completed the course can receive a certificate."
    ]
    # Reopened (the completion was wrong) and not complete again yet: what is missing.
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ACTIVE)
    LessonProgress.objects.filter(enrollment=enrollment).delete()
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.certificate_issue_after_revocation(certificate=revoked, actor=admin, reason="再度")
    assert raised.value.messages == ["2 required lessons are not complete yet."]
    assert Certificate.objects.count() == 1
    with translation.override("en"):
        assert services.issue_refusals(Enrollment.objects.get(pk=enrollment.pk)) == [
            "2 required lessons are not complete yet."
        ]


def test_automatic_issuing_never_follows_a_revocation_only_the_explicit_action_does(
    course, admin, django_capture_on_commit_callbacks
):
    revoked = _revoked(course, admin)
    enrollment = revoked.enrollment
    # The completion was wrong: the enrollment is reopened and the lessons done again.
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ACTIVE)
    LessonProgress.objects.filter(enrollment=enrollment).delete()
    later = timezone.now() + datetime.timedelta(days=40)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with mock.patch("django.utils.timezone.now", return_value=later):
            cf.complete_lessons(enrollment, course)
    assert callbacks == []  # no render: nothing was issued
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert list(Certificate.objects.filter(enrollment=enrollment)) == [revoked]
    # Nor does issuing by hand or for the cohort.
    assert services.certificate_issue(enrollment=enrollment, actor=admin) == revoked
    result = services.certificates_issue_bulk(enrollments=[enrollment], actor=admin)
    assert result.issued == [] and result.already == [revoked]
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1

    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=admin, reason="修了をやり直したため"
    )
    assert new.completed_on == timezone.localdate(later)  # the new completion
    assert new.completed_on != revoked.completed_on


def test_an_active_enrollment_that_is_eligible_is_completed_first(course, admin):
    revoked = _revoked(course, admin)
    enrollment = revoked.enrollment
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.ACTIVE)
    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=admin, reason="誤って失効"
    )
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.COMPLETED
    assert new.replaces == revoked


def test_revoked_again_and_followed_again_and_reissued(course, admin):
    first = _revoked(course, admin)
    second = services.certificate_issue_after_revocation(
        certificate=first, actor=admin, reason="一度目"
    )
    second = services.certificate_render(certificate_id=second.pk)
    services.certificate_revoke(certificate=second, actor=admin, reason="また誤り")
    third = services.certificate_issue_after_revocation(
        certificate=second, actor=admin, reason="二度目"
    )
    third = services.certificate_render(certificate_id=third.pk)
    fourth = services.certificate_reissue(certificate=third, actor=admin, reason="改姓")
    statuses = dict(
        Certificate.objects.filter(enrollment=first.enrollment).values_list("pk", "status")
    )
    assert statuses == {
        first.pk: Status.REVOKED,
        second.pk: Status.REVOKED,
        third.pk: Status.SUPERSEDED,
        fourth.pk: Status.PENDING,
    }
    assert list(Certificate.objects.current().filter(enrollment=first.enrollment)) == [fourth]
    assert services.certificate_issue(enrollment=first.enrollment) == fourth
    # The earlier revoked certificate already has its follower: asking again returns it.
    assert (
        services.certificate_issue_after_revocation(certificate=first, actor=admin, reason="x")
        == second
    )


def test_the_database_allows_one_live_certificate_and_one_follower(course, admin):
    revoked = _revoked(course, admin)
    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=admin, reason="誤り"
    )

    def copy(source, sequence, **changes):
        values = {
            "enrollment": source.enrollment,
            "year": source.year,
            "sequence": sequence,
            "serial": f"RPA-{source.year}-{sequence:06d}",
            "name": source.name,
            "course_title": source.course_title,
            "completed_on": source.completed_on,
            "language": source.language,
        }
        values.update(changes)
        return Certificate.objects.create(**values)

    with pytest.raises(IntegrityError), transaction.atomic():
        copy(new, 900)  # a second live (pending) certificate
    with pytest.raises(IntegrityError), transaction.atomic():
        copy(new, 901, status=Status.REVOKED, replaces=revoked)  # a second follower
    copy(new, 902, status=Status.REVOKED)  # revoked rows do not count
    assert Certificate.objects.filter(enrollment=revoked.enrollment).count() == 3

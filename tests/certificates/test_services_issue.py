"""Issuing certificates: automatically on completion, serials, codes, snapshots, reissue,
revocation, failed renders and retries."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils import translation

from lms.certificates import models as certificate_models
from lms.certificates import services
from lms.certificates.models import (
    Certificate,
    CertificateTemplate,
    SerialCounter,
    format_serial,
)
from lms.courses.models import CourseLogEntry, Enrollment
from tests.factories.accounts import InstructorFactory, UserFactory
from tests.factories.courses import course_tree

from . import factories as cf
from .conftest import Pdf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(
        site_tree,
        slug="cert",
        lessons=2,
        title="地域プロデューサー基礎講座",
        total_hours=Decimal("24.5"),
    )


@pytest.fixture
def designs(db):
    return cf.templates()


def test_completing_the_last_lesson_issues_the_certificate_through_the_task(
    course, designs, django_capture_on_commit_callbacks, tmp_path
):
    enrollment = cf.enrolled(course)
    cf.complete_lessons(enrollment, course, leave=1)
    assert not Certificate.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cf.complete_lessons(enrollment, course)
    assert len(callbacks) == 1  # the render task, enqueued after the commit

    certificate = Certificate.objects.get()
    assert certificate.enrollment_id == enrollment.pk
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.issued_by is None
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.COMPLETED
    year = certificate.issued_at.year
    assert re.fullmatch(rf"RPA-{year}-\d{{6}}", certificate.serial)
    assert certificate.name == "髙橋 𠮷子"
    assert certificate.name_kana == "たかはし よしこ"
    assert certificate.course_title == "地域プロデューサー基礎講座"
    assert certificate.hours == Decimal("24.5")
    assert certificate.template == designs["ja"]

    data = storages["private"].open(certificate.pdf_file, "rb").read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    pdf = Pdf(data, tmp_path)
    text = pdf.text()
    assert "髙橋 𠮷子" in text
    assert certificate.serial in text
    assert pdf.qr_codes()[0].endswith(f"/certificates/verify/{certificate.code}/")
    assert (
        CourseLogEntry.objects.for_instance(certificate).filter(action=services.LOG_ISSUE).exists()
    )


def test_issue_is_idempotent_and_refuses_an_enrollment_with_something_missing(course, designs):
    enrollment = cf.enrolled(course)
    cf.complete_lessons(enrollment, course, leave=1)
    with translation.override("ja"), pytest.raises(ValidationError) as raised:
        services.certificate_issue(enrollment=enrollment, actor=InstructorFactory())
    assert raised.value.messages == ["必須レッスンがあと1件完了していません。"]
    assert not Certificate.objects.exists()

    cf.complete_lessons(enrollment, course)
    first = Certificate.objects.get()
    assert services.certificate_issue(enrollment=enrollment) == first
    assert Certificate.objects.count() == 1


def test_serials_are_sequential_per_year_and_formatted(course, designs):
    first = services.certificate_issue(enrollment=cf.completed(course))
    second = services.certificate_issue(enrollment=cf.completed(course))
    assert (first.year, second.year) == (first.year, first.year)
    assert second.sequence == first.sequence + 1
    assert second.serial == format_serial(first.year, first.sequence + 1)
    assert format_serial(2026, 123) == "RPA-2026-000123"
    assert SerialCounter.objects.get(year=first.year).last == second.sequence

    next_year = datetime.datetime(first.year + 1, 1, 1, 9, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=next_year):
        third = services.certificate_issue(enrollment=cf.completed(course))
    assert third.serial == f"RPA-{first.year + 1}-000001"


def test_verification_codes_have_at_least_128_random_bits(course, designs):
    assert certificate_models.CODE_BYTES * 8 >= 128
    with mock.patch("secrets.token_urlsafe", wraps=__import__("secrets").token_urlsafe) as spy:
        code = certificate_models.new_verification_code()
    spy.assert_called_once_with(certificate_models.CODE_BYTES)
    assert len(code) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", code)
    codes = {services.certificate_issue(enrollment=cf.completed(course)).code for _ in range(3)}
    assert len(codes) == 3


def test_the_snapshot_does_not_follow_later_changes(course, designs):
    certificate = cf.issued(course)
    user = certificate.enrollment.user
    user.last_name = "佐藤"
    user.last_name_kana = "さとう"
    user.save()
    course.title = "改題した講座"
    course.total_hours = Decimal("40")
    course.save_revision().publish()
    certificate.refresh_from_db()
    assert (certificate.name, certificate.name_kana) == ("髙橋 𠮷子", "たかはし よしこ")
    assert (certificate.course_title, certificate.hours) == (
        "地域プロデューサー基礎講座",
        Decimal("24.5"),
    )


def test_english_trainees_get_the_english_design_and_name_order(course, designs, tmp_path):
    user = cf.trainee(last_name="Tanaka", first_name="Emi", preferred_language="en")
    certificate = services.certificate_issue(enrollment=cf.completed(course, user))
    assert certificate.language == "en"
    assert certificate.template == designs["en"]
    assert certificate.name == "Emi Tanaka"
    assert certificate.name_kana == ""  # an English certificate prints no kana
    assert "/en/certificates/verify/" in services.verification_url(certificate)
    certificate = services.certificate_render(certificate_id=certificate.pk)
    pdf = Pdf(storages["private"].open(certificate.pdf_file, "rb").read(), tmp_path)
    text = " ".join(pdf.text().split())
    assert "Certificate of Completion" in text and "Emi Tanaka" in text
    months = "January February March April May June July August September October November December"
    assert (
        f"{certificate.completed_on.day} {months.split()[certificate.completed_on.month - 1]}"
        in text
    )


def test_reissue_supersedes_and_keeps_the_history(course, designs):
    old = cf.issued(course)
    admin = UserFactory(is_superuser=True)
    user = old.enrollment.user
    user.last_name, user.last_name_kana = "佐藤", "さとう"
    user.save()

    with pytest.raises(ValidationError):
        services.certificate_reissue(certificate=old, actor=admin, reason="  ")
    new = services.certificate_reissue(certificate=old, actor=admin, reason="婚姻による改姓")
    old.refresh_from_db()
    assert old.status == Certificate.Status.SUPERSEDED
    assert old.superseded_by == new
    assert old.reissue_reason == "婚姻による改姓"
    assert old.pdf_file  # the old file is kept
    assert new.name == "佐藤 𠮷子" and new.status == Certificate.Status.PENDING
    assert new.serial != old.serial and new.code != old.code
    assert new.issued_by == admin
    entry = CourseLogEntry.objects.for_instance(old).get(action=services.LOG_REISSUE)
    assert entry.user == admin and entry.data["reason"] == "婚姻による改姓"
    # One current certificate per enrollment: issuing again gives the new one.
    assert services.certificate_issue(enrollment=old.enrollment) == new


def test_revoke_records_who_when_why(course, designs):
    certificate = cf.issued(course)
    admin = UserFactory(is_superuser=True)
    services.certificate_revoke(certificate=certificate, actor=admin, reason="不正受講が判明")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_by == admin and certificate.revoked_at is not None
    assert certificate.revoked_reason == "不正受講が判明"
    assert (
        CourseLogEntry.objects.for_instance(certificate).filter(action=services.LOG_REVOKE).exists()
    )
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=admin, reason="再度")
    with pytest.raises(ValidationError):
        services.certificate_reissue(certificate=certificate, actor=admin, reason="再発行")


def test_a_character_the_fonts_lack_fails_the_render_then_a_retry_issues_once(course, designs):
    user = cf.trainee(first_name="\U0002a6d6子")  # 𪛖 is in no certificate font
    certificate = services.certificate_issue(enrollment=cf.completed(course, user))
    certificate = services.certificate_render(certificate_id=certificate.pk)
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.pdf_file == ""
    assert certificate.missing_characters == [["name", "\U0002a6d6", "U+2A6D6"]]
    assert "U+2A6D6" in certificate.error
    assert _stored(certificate) == []

    user.first_name = "吉子"
    user.save()
    admin = UserFactory(is_superuser=True)
    services.certificate_retry(certificate=certificate, actor=admin)
    first = services.certificate_render(certificate_id=certificate.pk)
    second = services.certificate_render(certificate_id=certificate.pk)  # a duplicate run
    assert first.status == second.status == Certificate.Status.ISSUED
    assert first.pdf_file == second.pdf_file
    assert first.name == "髙橋 吉子"
    assert len(_stored(certificate)) == 1
    assert Certificate.objects.filter(enrollment=certificate.enrollment).count() == 1


def test_a_failed_row_update_leaves_no_file_behind(course, designs):
    certificate = services.certificate_issue(enrollment=cf.completed(course))
    before = set(_stored(certificate))
    with mock.patch.object(Certificate, "save", side_effect=RuntimeError("database down")):
        with pytest.raises(RuntimeError):
            services.certificate_render(certificate_id=certificate.pk)
    assert set(_stored(certificate)) == before
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING and certificate.pdf_file == ""


def test_no_design_fails_with_a_message_for_the_admin(course):
    certificate = services.certificate_issue(enrollment=cf.completed(course))
    with translation.override("en"):
        certificate = services.certificate_render(certificate_id=certificate.pk)
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.error  # in the site's language, for the admin
    assert certificate.pdf_file == ""


def _stored(certificate):
    storage = storages["private"]
    folder = f"certificates/{certificate.year}"
    if not storage.exists(folder):
        return []
    return [name for name in storage.listdir(folder)[1] if name.startswith(certificate.serial)]


def test_approving_the_last_fieldwork_hours_issues_the_certificate(
    course, designs, django_capture_on_commit_callbacks
):
    from lms.fieldwork import services as fieldwork_services
    from tests.factories import fieldwork as ff

    ff.requirement(course, hours="2")
    enrollment = cf.enrolled(course)
    cf.complete_lessons(enrollment, course)
    assert not Certificate.objects.exists()  # the hours are missing
    entry = ff.entry(enrollment, status="submitted", hours=Decimal("2.5"))
    with django_capture_on_commit_callbacks(execute=True):
        fieldwork_services.entry_review(entry=entry, actor=InstructorFactory(), decision="approve")
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.issued_by is None  # automatic


def test_a_course_design_wins_over_the_default(course, designs):
    own = CertificateTemplate.objects.create(
        name="基礎講座専用",
        language="ja",
        course=course,
        title="修了証書",
        body="{name} 殿",
        signatory_name="山田 太郎",
        signatory_title="学長",
        issuer="アカデミー",
        date_style="western",
    )
    certificate = services.certificate_issue(enrollment=cf.completed(course))
    assert certificate.template == own
    other = services.template_for(course_id=course.pk + 1000, language="ja")
    assert other == designs["ja"]
    # An English trainee of this course still gets the English default.
    assert services.template_for(course_id=course.pk, language="en") == designs["en"]

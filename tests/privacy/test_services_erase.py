"""Erasing an account: what is anonymised, what is kept, who may, and twice is harmless."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.utils import translation
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from lms.accounts.models import PartnerOrganisation
from lms.assessments.models import Answer, Attempt
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment, EnrollmentEvent, LessonProgress
from lms.fieldwork.models import (
    FieldworkAttachment,
    FieldworkEntry,
    FieldworkEvent,
    SupervisorToken,
)
from lms.privacy import services
from lms.privacy.models import ErasureRecord
from tests.factories.accounts import PASSWORD, InstructorFactory, TraineeFactory, UserFactory

from .conftest import make_certificate

pytestmark = pytest.mark.django_db

PERSONAL = ("髙橋", "𠮷子", "たかはし", "よしこ", "takahashi@example.jp", "佐藤", "sato@host")


def _erase(world, superuser, django_capture_on_commit_callbacks, reason="削除請求 受付番号 12"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.user_erase(user=world.trainee, actor=superuser, reason=reason)


def test_erasure_anonymises_the_account(world, superuser, django_capture_on_commit_callbacks):
    _erase(world, superuser, django_capture_on_commit_callbacks)
    user = type(world.trainee).objects.get(pk=world.trainee.pk)
    assert user.email.startswith("erased-") and user.email.endswith("@invalid.example")
    assert user.last_name == services.ERASED_LAST_NAME
    assert "髙橋" not in user.get_full_name() and "𠮷子" not in user.get_full_name()
    assert (user.last_name_kana, user.first_name_kana) == ("", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.last_login is None
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email__iexact="takahashi@example.jp").exists()


def test_erased_addresses_are_unique(world, superuser, django_capture_on_commit_callbacks):
    second = TraineeFactory()
    _erase(world, superuser, django_capture_on_commit_callbacks)
    services.user_erase(user=second, actor=superuser, reason="請求")
    emails = set(
        type(second).objects.filter(email__endswith="@invalid.example").values_list("email")
    )
    assert len(emails) == 2


def test_old_email_no_longer_logs_in_and_sessions_end(
    client, world, superuser, django_capture_on_commit_callbacks
):
    assert client.login(email="takahashi@example.jp", password=PASSWORD)
    assert Session.objects.count() == 1
    assert client.get("/privacy/export/").status_code == 200
    _erase(world, superuser, django_capture_on_commit_callbacks)
    assert Session.objects.count() == 0
    response = client.get("/privacy/export/")
    assert response.status_code == 302  # signed out: sent to the login page
    response = client.post(
        "/accounts/login/", {"login": "takahashi@example.jp", "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert not client.login(email="takahashi@example.jp", password=PASSWORD)


def test_fieldwork_text_is_blanked_and_files_deleted(
    world, superuser, django_capture_on_commit_callbacks
):
    storage = storages["private"]
    files = [world.attachment.file, world.attachment.thumbnail]
    assert all(storage.exists(name) for name in files if name)
    record = _erase(world, superuser, django_capture_on_commit_callbacks)

    entry = FieldworkEntry.objects.get(pk=world.entry.pk)
    for field in (
        "municipality",
        "site",
        "activity",
        "learned",
        "next_steps",
        "supervisor_name",
        "supervisor_email",
        "supervisor_role",
        "supervisor_comment",
        "review_comment",
    ):
        assert getattr(entry, field) == "", field
    # Kept for the statistics (approved hours, the prefecture map).
    assert (entry.date, entry.hours, entry.prefecture) == (
        world.entry.date,
        world.entry.hours,
        "nagano",
    )
    assert entry.category_id == world.entry.category_id
    event = FieldworkEvent.objects.get(entry=entry)
    assert (event.comment, event.actor_label, event.snapshot) == ("", "", {})
    assert event.to_status == "confirmed"
    assert not SupervisorToken.objects.filter(entry=entry).exists()
    assert not FieldworkAttachment.objects.filter(entry=entry).exists()
    assert not any(storage.exists(name) for name in files if name)
    record.refresh_from_db()
    assert record.pending_files == []


def test_learning_records_are_kept_for_statistics(
    world, superuser, django_capture_on_commit_callbacks
):
    _erase(world, superuser, django_capture_on_commit_callbacks)
    active = Enrollment.objects.get(pk=world.enrollment.pk)
    assert active.status == Enrollment.Status.WITHDRAWN  # nothing can complete later
    assert active.user_id == world.trainee.pk
    assert Enrollment.objects.get(pk=world.completed.pk).status == Enrollment.Status.COMPLETED
    assert LessonProgress.objects.filter(enrollment=active).count() == 1
    assert (
        EnrollmentEvent.objects.filter(enrollment__user=world.trainee).exclude(message="").count()
        == 0
    )

    attempt = Attempt.objects.get(pk=world.attempt.pk)
    assert attempt.max_score == world.attempt.max_score
    single, essay = Answer.objects.filter(attempt=attempt).order_by("position")
    assert single.response == {"choice": "q1-2"}  # kept for the item statistics
    assert essay.response == {} and essay.comment == ""


def test_issued_certificate_still_verifies_with_the_name_as_issued(
    client, world, superuser, django_capture_on_commit_callbacks
):
    _erase(world, superuser, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    assert certificate.status == Certificate.Status.ISSUED
    assert storages["private"].exists(certificate.pdf_file)
    response = client.get(f"/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "髙橋 𠮷子" in html
    with translation.override("ja"):
        assert translation.gettext("This certificate is valid.") in html
    with translation.override("en"):
        response = client.get(f"/en/certificates/verify/{certificate.code}/")
    assert "This certificate is valid." in response.content.decode()


def test_revoked_certificate_stays_revoked(
    client, world, superuser, django_capture_on_commit_callbacks
):
    _erase(world, superuser, django_capture_on_commit_callbacks)
    assert Certificate.objects.get(pk=world.revoked.pk).status == Certificate.Status.REVOKED
    response = client.get(f"/en/certificates/verify/{world.revoked.code}/")
    html = response.content.decode()
    assert "It is no longer valid." in html
    assert "髙橋 𠮷子" in html


def test_a_certificate_never_issued_is_revoked_without_the_name(
    world, superuser, django_capture_on_commit_callbacks
):
    pending = make_certificate(world.enrollment, sequence=9, status="pending")
    _erase(world, superuser, django_capture_on_commit_callbacks)
    pending.refresh_from_db()
    assert pending.status == Certificate.Status.REVOKED
    assert (pending.name, pending.name_kana) == ("", "")


def test_memberships_and_admin_profile_are_removed(
    world, superuser, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    organisation = PartnerOrganisation.objects.create(name="地域の工務店")
    organisation.members.add(world.trainee)
    UserProfile.get_for_user(world.trainee)
    _erase(world, superuser, django_capture_on_commit_callbacks)
    assert not organisation.members.exists()
    assert not UserProfile.objects.filter(user=world.trainee).exists()


def test_record_and_log_hold_no_personal_data(world, superuser, django_capture_on_commit_callbacks):
    # An entry logged earlier about the trainee's fieldwork carries a name and a comment.
    from wagtail.log_actions import log

    log(
        instance=world.entry,
        action="fieldwork.supervisor",
        user=None,
        data={"comment": "佐藤より", "by": "受入先担当者 佐藤", "to_status": "confirmed"},
    )
    log(instance=world.trainee, action="wagtail.edit", user=superuser)
    record = _erase(world, superuser, django_capture_on_commit_callbacks)

    assert record.actor == superuser
    assert record.reason == "削除請求 受付番号 12"
    assert record.summary["attachments_deleted"] == 1
    assert record.summary["enrollments_withdrawn"] == 1
    erase_entry = ModelLogEntry.objects.get(action=services.LOG_ERASE)
    assert erase_entry.user_id == superuser.pk
    assert erase_entry.data == {"record": record.pk}

    entries = list(log_registry.get_logs_for_instance(world.trainee)) + list(
        log_registry.get_logs_for_instance(world.entry)
    )
    assert len(entries) >= 3
    text = " ".join(f"{e.label} {e.data}" for e in entries)
    for value in PERSONAL:
        assert value not in text, value
    fieldwork_entry = next(e for e in entries if e.action == "fieldwork.supervisor")
    assert fieldwork_entry.data["to_status"] == "confirmed"


def test_erasing_twice_is_harmless(world, superuser, django_capture_on_commit_callbacks):
    first = _erase(world, superuser, django_capture_on_commit_callbacks)
    email = type(world.trainee).objects.get(pk=world.trainee.pk).email
    second = _erase(world, superuser, django_capture_on_commit_callbacks, reason="")
    assert second.pk == first.pk
    assert ErasureRecord.objects.count() == 1
    assert ModelLogEntry.objects.filter(action=services.LOG_ERASE).count() == 1
    assert type(world.trainee).objects.get(pk=world.trainee.pk).email == email


def test_a_file_that_could_not_be_deleted_is_retried(
    world, superuser, django_capture_on_commit_callbacks, monkeypatch
):
    storage_class = type(storages["private"])
    original = storage_class.delete

    def broken(self, name):
        raise OSError("storage unavailable")

    monkeypatch.setattr(storage_class, "delete", broken)
    record = _erase(world, superuser, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert world.attachment.file in record.pending_files
    monkeypatch.setattr(storage_class, "delete", original)
    _erase(world, superuser, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert record.pending_files == []
    assert not storages["private"].exists(world.attachment.file)


def test_a_reason_is_required(world, superuser):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.user_erase(user=world.trainee, actor=superuser, reason="  ")
    assert "Write the reason" in str(excinfo.value)
    assert type(world.trainee).objects.get(pk=world.trainee.pk).email == "takahashi@example.jp"


def test_only_superusers_erase_and_never_admins_or_themselves(world, superuser):
    instructor = InstructorFactory()
    other_trainee = TraineeFactory()
    staff = UserFactory(is_staff=True)
    other_admin = UserFactory(is_superuser=True, is_staff=True)
    with translation.override("en"):
        for actor in (instructor, other_trainee):
            with pytest.raises(PermissionDenied):
                services.user_erase(user=world.trainee, actor=actor, reason="x")
        with pytest.raises(PermissionDenied, match="your own account"):
            services.user_erase(user=superuser, actor=superuser, reason="x")
        for target in (instructor, staff, other_admin):
            with pytest.raises(PermissionDenied, match="instructor"):
                services.user_erase(user=target, actor=superuser, reason="x")
    assert not ErasureRecord.objects.exists()
    assert type(world.trainee).objects.get(pk=world.trainee.pk).is_active

"""Writes of the privacy app: a person's data as a file, and the erasure of an account.

See docs/decisions/0021-privacy.md for what an erasure keeps and why.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
import zipfile
from typing import BinaryIO

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from lms.accounts.roles import is_instructor
from lms.assessments.models import Answer, Attempt
from lms.certificates import services as certificate_services
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.models import Enrollment, EnrollmentEvent
from lms.fieldwork.models import (
    FieldworkAttachment,
    FieldworkEntry,
    FieldworkEvent,
    SupervisorToken,
)

from . import selectors
from .models import ErasureRecord

logger = logging.getLogger(__name__)

LOG_EXPORT = "privacy.export"
LOG_ERASE = "privacy.erase"

#: The family name every erased account gets; the given name is a short random token so
#: erased accounts can be told apart in lists. Stored data, not a user-interface string.
ERASED_LAST_NAME = "削除済み"
ERASED_EMAIL_DOMAIN = "invalid.example"

#: Keys of Wagtail log entries' data that may hold free text about the person (comments,
#: messages, reasons, a supervisor's name); blanked on the person's records.
FREE_TEXT_LOG_KEYS = ("comment", "message", "reason", "by", "email", "name")


# --- Export ---------------------------------------------------------------------------------
def user_data_export(*, user, base_url: str = "") -> BinaryIO:
    """A ZIP of everything the academy holds about ``user`` (its README.txt,
    ``lms/privacy/export_readme.txt``, lists the files), as a file
    object positioned at its start. Logged (who, when) in Wagtail's audit log.

    The ZIP is written to a temporary file (in memory up to 10 MB, then on disk), so a
    person with many photos does not fill the server's memory. A file missing from
    storage is listed in ``missing_files.txt`` instead of failing the whole export.
    """
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        data = selectors.personal_data(user, base_url=base_url)
    created = timezone.localtime().isoformat(timespec="seconds")
    out = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    storage = storages["private"]
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", render_to_string("lms/privacy/export_readme.txt", {"created": created})
        )
        for name, value in (
            ("profile.json", data.profile),
            ("enrollments.json", data.enrollments),
            ("quiz_attempts.json", data.quiz_attempts),
            ("fieldwork.json", data.fieldwork_entries),
            ("certificates.json", data.certificates),
        ):
            archive.writestr(name, json.dumps(value, ensure_ascii=False, indent=2, default=str))
        for zip_name, stored_name in data.files:
            try:
                with storage.open(stored_name, "rb") as handle:
                    # Photos and PDFs are compressed already.
                    with archive.open(
                        zipfile.ZipInfo(zip_name, date_time=timezone.localtime().timetuple()[:6]),
                        "w",
                    ) as target:
                        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                            target.write(chunk)
            except (FileNotFoundError, OSError):
                logger.warning("privacy export: a stored file is missing")
                missing.append(zip_name)
        if missing:
            archive.writestr("missing_files.txt", "\n".join(missing) + "\n")
    log(instance=user, action=LOG_EXPORT, user=user, data={"files": len(data.files)})
    out.seek(0)
    return out


# --- Erasure --------------------------------------------------------------------------------
def erasure_refusal(*, user, actor) -> str | None:
    """Why ``actor`` may not erase ``user`` (a sentence), or None when they may."""
    if not (actor.is_authenticated and actor.is_active and actor.is_superuser):
        return _("Only administrators can erase an account.")
    if user.pk == actor.pk:
        return _("You cannot erase your own account.")
    if user.is_superuser or user.is_staff or is_instructor(user):
        return _(
            "This account is an administrator, staff member or instructor. Take away those "
            "roles first: only a trainee's or partner's account can be erased."
        )
    return None


def _delete_files(record_id: int, names: list[str]) -> None:
    """Delete files after the erasure committed; remember the ones that could not go."""
    storage = storages["private"]
    failed = []
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # storage down: keep the name, a second erasure tries again
            logger.exception("privacy erasure: a file could not be deleted")
            failed.append(name)
    ErasureRecord.objects.filter(pk=record_id).update(pending_files=failed)


def _scrub_log_entries(objects) -> int:
    """Replace the labels of Wagtail log entries about ``objects`` (which now print without
    personal data) and blank the free-text keys of their data.

    Each object's entries are looked up in the log model Wagtail writes them to (an app may
    register its own, e.g. one that knows the course), and in ``ModelLogEntry`` for entries
    written before that.
    """
    changed = 0
    for obj in objects:
        querysets = [log_registry.get_logs_for_instance(obj)]
        if querysets[0].model is not ModelLogEntry:
            querysets.append(ModelLogEntry.objects.for_instance(obj))
        for queryset in querysets:
            for entry in queryset:
                data = dict(entry.data or {})
                for key in FREE_TEXT_LOG_KEYS:
                    if key in data:
                        data[key] = ""
                entry.label = str(obj)[:255]
                entry.data = data
                entry.save(update_fields=["label", "data"])
                changed += 1
    return changed


def _delete_sessions(user) -> int:
    """Delete the user's sessions stored in the database. (Whatever the session engine,
    the new unusable password already invalidates them: Django checks a hash of it.)"""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            doomed.append(session.session_key)
    if doomed:
        Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def _delete_login_rows(user) -> int:
    """allauth's e-mail addresses, and social accounts or authenticators if installed."""
    count, _detail = EmailAddress.objects.filter(user=user).delete()
    for label, model_name in (("socialaccount", "SocialAccount"), ("mfa", "Authenticator")):
        if apps.is_installed(f"allauth.{label}"):
            model = apps.get_model(label, model_name)
            deleted, _detail = model.objects.filter(user=user).delete()
            count += deleted
    return count


def _anonymise_account(user) -> None:
    token = uuid.uuid4().hex
    user.email = f"erased-{token}@{ERASED_EMAIL_DOMAIN}"
    user.last_name = ERASED_LAST_NAME
    user.first_name = token[:8]
    user.last_name_kana = ""
    user.first_name_kana = ""
    user.is_active = False
    user.is_staff = False
    user.last_login = None
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.user_permissions.clear()
    user.partner_organisations.clear()


def _wagtail_profile_delete(user) -> None:
    """Delete the Wagtail admin profile (its avatar file goes after commit)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.objects.filter(user=user).first()
    if profile is None:
        return
    avatar = profile.avatar.name if profile.avatar else ""
    storage = profile.avatar.storage
    profile.delete()
    if avatar:
        transaction.on_commit(lambda: storage.delete(avatar))


def user_erase(*, user, actor, reason: str) -> ErasureRecord:
    """Erase a person's account under the APPI (a request for deletion, 利用停止・消去).

    In one transaction: the name, kana and e-mail are replaced (the e-mail by a unique
    address at ``invalid.example``), the password made unusable, the account deactivated,
    its sessions and allauth rows deleted; open enrollments are withdrawn; free text the
    person or others wrote about them (fieldwork descriptions, supervisors' names and
    e-mail addresses, comments, essay answers, instructors' messages) is blanked; their
    fieldwork files are deleted from storage once the transaction has committed.
    Enrollments, progress, scores and fieldwork dates and hours stay, tied to the
    anonymised account, for the academy's statistics. Certificates already issued keep
    their snapshot (the name as certified) and still verify; revoked ones stay revoked;
    certificates never issued are revoked.

    Idempotent: erasing an erased account changes nothing (it only retries deleting files
    that could not be deleted the first time) and returns the first record.
    """
    reason = (reason or "").strip()
    refusal = erasure_refusal(user=user, actor=actor)
    if refusal:
        raise PermissionDenied(refusal)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        existing = ErasureRecord.objects.filter(user=user).first()
        if existing is not None:
            if existing.pending_files:
                names = list(existing.pending_files)
                transaction.on_commit(lambda: _delete_files(existing.pk, names))
            return existing
        if not reason:
            raise ValidationError({"reason": _("Write the reason: it is kept in the record.")})

        enrollments = list(Enrollment.objects.filter(user=user).select_related("course"))
        withdrawn = 0
        for enrollment in enrollments:
            if enrollment.status in selectors.ENROLLMENTS_TO_WITHDRAW:
                course_services.enrollment_withdraw(enrollment=enrollment, actor=actor)
                withdrawn += 1
        Enrollment.objects.filter(user=user).update(decision_message="")
        EnrollmentEvent.objects.filter(enrollment__user=user).update(message="")

        # Essays are free text about the person; other answers are choices, numbers or a
        # word, kept (with every score) for the quiz statistics.
        essays = Answer.objects.filter(attempt__user=user, question__type="essay")
        essays_blanked = essays.update(response={}, comment="")
        attempts = list(Attempt.objects.filter(user=user).select_related("quiz"))

        entries_blanked = FieldworkEntry.objects.filter(enrollment__user=user).update(
            municipality="",
            site="",
            activity="",
            learned="",
            next_steps="",
            supervisor_name="",
            supervisor_email="",
            supervisor_role="",
            supervisor_comment="",
            review_comment="",
        )
        # Append-only for the fieldwork app (FieldworkEvent.save refuses an update); an
        # erasure under the law is the one exception, made through the queryset.
        FieldworkEvent.objects.filter(entry__enrollment__user=user).update(comment="", snapshot={})
        FieldworkEvent.objects.filter(entry__enrollment__user=user, actor__isnull=True).update(
            actor_label=""
        )
        SupervisorToken.objects.filter(entry__enrollment__user=user).delete()
        attachments = FieldworkAttachment.objects.filter(entry__enrollment__user=user)
        files = [
            name for pair in attachments.values_list("file", "thumbnail") for name in pair if name
        ]
        attachments_deleted, _detail = attachments.delete()

        never_issued = Certificate.objects.filter(
            enrollment__user=user, status__in=selectors.CERTIFICATES_TO_REVOKE
        )
        never_issued_list = list(never_issued)
        never_issued.update(name="", name_kana="")
        for certificate in never_issued_list:
            certificate_services.certificate_revoke(
                certificate=certificate,
                actor=actor,
                reason=_("The trainee's account was erased before the certificate was issued."),
            )

        _delete_login_rows(user)
        sessions = _delete_sessions(user)
        _wagtail_profile_delete(user)
        _anonymise_account(user)

        for enrollment in enrollments:
            enrollment.user = user  # str() of the enrollment now shows the anonymised name
        for attempt in attempts:
            attempt.user = user
        for certificate in never_issued_list:
            certificate.refresh_from_db(fields=["name", "name_kana"])
        entries = list(FieldworkEntry.objects.filter(enrollment__user=user))
        scrubbed = _scrub_log_entries([user, *enrollments, *attempts, *entries, *never_issued_list])

        record = ErasureRecord(
            user=user,
            actor=actor,
            reason=reason,
            summary={
                "enrollments": len(enrollments),
                "enrollments_withdrawn": withdrawn,
                "attempts": len(attempts),
                "essay_answers_blanked": essays_blanked,
                "fieldwork_entries_blanked": entries_blanked,
                "attachments_deleted": attachments_deleted,
                "certificates_revoked": len(never_issued_list),
                "sessions_deleted": sessions,
                "log_entries_scrubbed": scrubbed,
            },
            pending_files=files,
        )
        record.full_clean()
        record.save()
        log(instance=user, action=LOG_ERASE, user=actor, data={"record": record.pk})
        if files:
            transaction.on_commit(lambda: _delete_files(record.pk, files))
    return record

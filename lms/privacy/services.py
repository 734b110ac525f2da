"""Writes of the privacy app: a person's data as a file, and the erasure of an account.

See docs/decisions/0021-privacy.md for what an erasure keeps and why.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

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


#: Free text shorter than this is replaced only in the person's own log entries: a short
#: text ("上田市", "はい") written by the person says nothing about them elsewhere.
MIN_FREE_TEXT_NEEDLE = 12


def _name_forms(last: str, first: str) -> set[str]:
    """A full name as people write it: either order, no space, a space or a full-width one."""
    last, first = (last or "").strip(), (first or "").strip()
    if not (last and first):
        return {last or first} - {""}
    return {
        f"{a}{sep}{b}" for a, b in ((last, first), (first, last)) for sep in ("", " ", "\u3000")
    }


@dataclass
class _Needles:
    """What an erasure looks for in audit log entries, and what it is replaced with.

    ``everywhere``: the full name and its kana reading in every written form, the e-mail
    addresses, and the person's longer free text; replaced in every entry of every log
    model. ``own``: besides those, the name's parts, short free text and the supervisor's
    name and e-mail; replaced only in the entries about the person's own records (a family
    name alone in another record may be someone else's). ``protected``: other people's
    full names that contain the person's (髙橋 𠮷子美 holds 髙橋 𠮷子): never touched.
    """

    everywhere: dict[str, str] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)

    def add(self, value, replacement: str, *, everywhere: bool) -> None:
        value = (value or "").strip()
        if len(value) < 2:
            return  # one character is part of too many words
        (self.everywhere if everywhere else self.own)[value] = replacement

    def pattern(self, *, own: bool) -> tuple[re.Pattern | None, dict[str, str | None]]:
        """One regular expression for all (longest first) and what each match becomes."""
        table: dict[str, str | None] = {}
        for value in self.protected:
            table[value.casefold()] = None
        # Outside the person's own entries another account's name wins (a namesake's or
        # someone with the same reading: the text may be about them); inside, the
        # person's own forms win, and only longer names of others stay.
        sources = [self.everywhere, self.own] if own else [self.everywhere]
        for source in sources:
            for value, replacement in source.items():
                if own:
                    table[value.casefold()] = replacement
                else:
                    table.setdefault(value.casefold(), replacement)
        if not any(v is not None for v in table.values()):
            return None, table
        alternatives = []
        for value in sorted(table, key=len, reverse=True):
            piece = re.escape(value)
            if value[0].isascii() and value[0].isalnum():
                piece = r"(?<![A-Za-z0-9])" + piece
            if value[-1].isascii() and value[-1].isalnum():
                piece += r"(?![A-Za-z0-9])"
            alternatives.append(piece)
        return re.compile("|".join(alternatives), re.IGNORECASE), table


def _scrub_text(value, pattern, table):
    """``value`` (a string, or lists and dicts of them) with the needles replaced."""
    if isinstance(value, str):

        def replace(match):
            replacement = table.get(match.group(0).casefold())
            return match.group(0) if replacement is None else replacement

        return pattern.sub(replace, value)
    if isinstance(value, list):
        return [_scrub_text(item, pattern, table) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_text(item, pattern, table) for key, item in value.items()}
    return value


def _json_forms(value: str) -> set[str]:
    """``value`` as it is written inside stored JSON: as is (PostgreSQL's jsonb), escaped
    to ASCII (Django's encoder, on SQLite), and with JSON's own escapes (new lines)."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def _scrub_log_entries(*, own_labels: dict, needles: _Needles) -> int:
    """Scrub every audit log model Wagtail writes to (``ModelLogEntry``, ``PageLogEntry``,
    ``CourseLogEntry`` and any other registered): by object and by value.

    ``own_labels`` maps ``(content type id, object id)`` of the person's own records to the
    label their entries get (the anonymised ``str()``), or None to keep the label (an issued
    certificate's, whose name is replaced by value like any other). Their entries lose the
    free-text keys of ``data`` (``FREE_TEXT_LOG_KEYS``: what an instructor or supervisor
    wrote about the person) and every needle, short or long. Entries about anything else
    (another trainee's records, a quiz's regrade, a page) that contain the person's full
    name, e-mail or longer free text have that text replaced by the anonymised name (or
    removed, for free text); the rest of what they say stays. Who did what and when
    (action, user, timestamp, object) is never changed.

    Two queries per log model whatever the number of records (one to find the entries,
    found by object or by a text search of ``data`` and ``label``, one bulk update).
    """
    own_pattern, own_table = needles.pattern(own=True)
    any_pattern, any_table = needles.pattern(own=False)
    by_type: dict[int, list[str]] = {}
    for content_type_id, object_id in own_labels:
        by_type.setdefault(content_type_id, []).append(object_id)
    changed = 0
    for model in log_registry.get_log_entry_models():
        condition = Q(pk__in=[])
        fields = ["pk", "content_type_id", "label", "data"]
        if "object_id" in {f.name for f in model._meta.concrete_fields}:
            fields.append("object_id")  # page log entries have none: no trainee's record is a page
            for content_type_id, object_ids in by_type.items():
                condition |= Q(content_type_id=content_type_id, object_id__in=object_ids)
        for value in needles.everywhere:
            condition |= Q(label__icontains=value)
            for form in _json_forms(value):
                condition |= Q(data_text__icontains=form)
        queryset = (
            model.objects.annotate(data_text=Cast("data", TextField()))
            .filter(condition)
            .only(*fields)
        )
        dirty = []
        for entry in queryset:
            key = (entry.content_type_id, str(getattr(entry, "object_id", "")))
            data = dict(entry.data or {}) if isinstance(entry.data, dict) else entry.data
            label = entry.label
            if key in own_labels:
                if isinstance(data, dict):
                    for name in FREE_TEXT_LOG_KEYS:
                        if name in data:
                            data[name] = ""
                if own_labels[key] is not None:
                    label = own_labels[key]
                pattern, table = own_pattern, own_table
            else:
                pattern, table = any_pattern, any_table
            if pattern is not None:
                data = _scrub_text(data, pattern, table)
                label = _scrub_text(label, pattern, table)
            if data != entry.data or label != entry.label:
                entry.data, entry.label = data, label
                dirty.append(entry)
        if dirty:
            model.objects.bulk_update(dirty, ["label", "data"])
            changed += len(dirty)
    return changed


@dataclass
class _PersonalValues:
    """The person's name, contacts and free text, read before the erasure blanks them."""

    names: list[tuple[str, str]]
    name_parts: list[str]
    emails: list[str]
    free_text: list[str]
    third_party: list[str]
    protected: set[str]


def _personal_values(user) -> _PersonalValues:
    """Four queries: e-mail addresses, fieldwork text, essay answers, and other accounts
    whose full name contains the person's (their names are protected from the scrub)."""
    names = [(user.last_name, user.first_name), (user.last_name_kana, user.first_name_kana)]
    emails = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    free_text, third_party = [], []
    for row in FieldworkEntry.objects.filter(enrollment__user=user).values_list(
        "municipality",
        "site",
        "activity",
        "learned",
        "next_steps",
        "supervisor_name",
        "supervisor_email",
    ):
        free_text.extend(row[:5])
        third_party.extend(row[5:])
    for response in Answer.objects.filter(attempt__user=user, question__type="essay").values_list(
        "response", flat=True
    ):
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            free_text.append(response["text"])
    compact = {
        f"{a}{b}"
        for last, first in names
        if last and first
        for a, b in ((last, first), (first, last))
    }
    protected: set[str] = set()
    if compact:
        User = get_user_model()
        containing = Q(pk__in=[])
        for form in compact:
            containing |= Q(full__contains=form) | Q(kana__contains=form)
        others = (
            User.objects.exclude(pk=user.pk)
            .annotate(
                full=Concat("last_name", "first_name"),
                kana=Concat("last_name_kana", "first_name_kana"),
            )
            .filter(containing)
            .values_list("last_name", "first_name", "last_name_kana", "first_name_kana")
        )
        for last, first, last_kana, first_kana in others:
            protected |= _name_forms(last, first) | _name_forms(last_kana, first_kana)
    return _PersonalValues(
        names=names,
        name_parts=[part for pair in names for part in pair],
        emails=[e for e in emails if e],
        free_text=[t for t in free_text if t],
        third_party=[t for t in third_party if t],
        protected=protected,
    )


def _erasure_needles(values: _PersonalValues, *, anonymised_name: str) -> _Needles:
    needles = _Needles(protected=set(values.protected))
    for last, first in values.names:
        for form in _name_forms(last, first):
            needles.add(form, anonymised_name, everywhere=bool(last and first))
    for email in values.emails:
        needles.add(email, anonymised_name, everywhere=True)
    for part in values.name_parts:
        needles.add(part, anonymised_name, everywhere=False)
    for text in values.free_text:
        needles.add(text, "", everywhere=len(text.strip()) >= MIN_FREE_TEXT_NEEDLE)
    for text in values.third_party:
        needles.add(text, "", everywhere=False)
    for value in list(needles.own):
        if value in needles.everywhere:
            del needles.own[value]
    return needles


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
    certificates never issued are revoked. Audit log entries of every log model keep who
    did what and when; the person's name, reading, e-mail and free text are scrubbed from
    them by object and by value (``_scrub_log_entries``), and the labels show the
    anonymised name.

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
        personal = _personal_values(user)

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
            certificate.name = certificate.name_kana = ""
        entries = list(FieldworkEntry.objects.filter(enrollment__user=user))
        kept_certificates = Certificate.objects.filter(enrollment__user=user).exclude(
            pk__in=[c.pk for c in never_issued_list]
        )
        own_labels = {
            (ContentType.objects.get_for_model(obj).pk, str(obj.pk)): str(obj)[:255]
            for obj in [user, *enrollments, *attempts, *entries, *never_issued_list]
        }
        certificate_type = ContentType.objects.get_for_model(Certificate).pk
        for pk in kept_certificates.values_list("pk", flat=True):
            own_labels[(certificate_type, str(pk))] = None  # the name as issued: by value
        scrubbed = _scrub_log_entries(
            own_labels=own_labels,
            needles=_erasure_needles(personal, anonymised_name=user.get_full_name()),
        )

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

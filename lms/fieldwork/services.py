"""Writes for fieldwork: drafts, submission, supervisor confirmation, review, attachments.

Rules kept here (views only parse input and call these):

- an entry is saved as a draft as the trainee types (``entry_save_draft``) with a version
  number, so a page left open elsewhere cannot overwrite a newer save;
- on submission (``entry_submit``) everything is checked: the date is neither in the future
  nor before the enrollment, hours are in quarter-hour steps, the day's total stays within
  24 hours (the trainee's user row is locked while it is counted);
- the supervisor confirms through a one-time link (``supervisor_respond``); a confirmed
  entry is locked and changes only through a correction, which is confirmed again;
- an instructor approves, returns or rejects (``entry_review``); only approved hours count;
- every status change is appended to ``FieldworkEvent`` and admin decisions are logged with
  Wagtail's ``log`` so they show in its audit reports.
"""

import datetime
import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.courses.models import Enrollment
from lms.courses.signals import completion_inputs_changed_send

from . import tokens, uploads
from .models import (
    FieldworkAttachment,
    FieldworkEntry,
    FieldworkEvent,
    FieldworkRequirement,
    SupervisorToken,
)

logger = logging.getLogger(__name__)

Status = FieldworkEntry.Status
SupervisorStatus = FieldworkEntry.SupervisorStatus

#: What a trainee may change on an entry (nothing else comes from a form).
EDITABLE_FIELDS = (
    "date",
    "hours",
    "prefecture",
    "municipality",
    "site",
    "category",
    "activity",
    "learned",
    "next_steps",
    "supervisor_name",
    "supervisor_email",
    "supervisor_role",
)
QUARTER = Decimal("0.25")
DAY_LIMIT = Decimal("24")

LOG_APPROVE = "fieldwork.approve"
LOG_RETURN = "fieldwork.return"
LOG_REJECT = "fieldwork.reject"
LOG_SUPERVISOR = "fieldwork.supervisor"


class StaleDraft(ValidationError):
    """The page that sent this save is older than what is stored."""


class LinkRefused(Exception):
    """A supervisor link that cannot be used; ``reason`` is invalid, used, expired or revoked."""

    def __init__(self, reason: str, entry=None):
        super().__init__(reason)
        self.reason = reason
        self.entry = entry


# --- Checks on single values (used by forms as the trainee types, and on submission) --------
def hours_check(hours) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Enter the hours as a number, e.g. 1.5."), code="hours") from exc
    if value <= 0:
        raise ValidationError(_("Hours must be more than 0."), code="hours_min")
    if value > DAY_LIMIT:
        raise ValidationError(_("A day has at most 24 hours."), code="hours_max")
    if value % QUARTER:
        raise ValidationError(
            _("Enter hours in steps of 15 minutes (0.25 hours), e.g. 1.25 or 2.5."),
            code="hours_step",
        )
    return value


def date_check(date, *, enrollment) -> datetime.date:
    today = timezone.localdate()
    if date > today:
        raise ValidationError(
            _("The date is in the future. Record fieldwork on or after the day it happened."),
            code="date_future",
        )
    enrolled_on = timezone.localdate(enrollment.created_at)
    if date < enrolled_on:
        raise ValidationError(
            _(
                "The date is before you enrolled in this course (%(date)s). Only fieldwork "
                "done during the course counts."
            )
            % {"date": enrolled_on.strftime("%Y-%m-%d")},
            code="date_before_enrollment",
        )
    return date


def _require_owner(entry, actor):
    if entry.enrollment.user_id != getattr(actor, "pk", None):
        raise PermissionDenied


def _require_active(enrollment):
    if not enrollment.is_active:
        raise ValidationError(
            _("Only trainees enrolled in the course can record fieldwork."), code="not_enrolled"
        )


def _event(entry, *, kind, from_status, to_status, actor=None, actor_label="", comment="", **kw):
    return FieldworkEvent.objects.create(
        entry=entry,
        kind=kind,
        from_status=from_status or "",
        to_status=to_status,
        actor=actor,
        actor_label=actor_label or (actor.get_full_name() if actor else ""),
        comment=comment,
        **kw,
    )


def _snapshot(entry) -> dict:
    return {
        "date": entry.date.isoformat() if entry.date else None,
        "hours": str(entry.hours) if entry.hours is not None else None,
        "prefecture": entry.prefecture,
        "municipality": entry.municipality,
        "site": entry.site,
        "category_id": entry.category_id,
        "activity": entry.activity,
        "learned": entry.learned,
        "next_steps": entry.next_steps,
        "supervisor_name": entry.supervisor_name,
        "supervisor_email": entry.supervisor_email,
    }


# --- Drafts -------------------------------------------------------------------------------
@transaction.atomic
def entry_save_draft(
    *,
    enrollment: Enrollment,
    actor,
    changes: dict,
    entry: FieldworkEntry | None = None,
    version: int | None = None,
) -> FieldworkEntry:
    """Create or update a draft with the given field values (a partial form is fine).

    ``version`` is the version the page was showing; if the stored entry is newer, the save
    is refused (``StaleDraft``) so an old tab cannot overwrite what was written since.
    """
    if enrollment.user_id != actor.pk:
        raise PermissionDenied
    _require_active(enrollment)
    if entry is None:
        entry = FieldworkEntry(enrollment=enrollment)
    else:
        entry = FieldworkEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.enrollment_id != enrollment.pk:
            raise PermissionDenied
        if not entry.is_editable:
            raise ValidationError(locked_message(entry), code="locked")
        if version is not None and int(version) != entry.version:
            raise StaleDraft(
                _(
                    "This entry was saved from another page or device since you opened it. "
                    "Reload the page to see the newest version; your text is kept on this "
                    "device."
                ),
                code="stale",
            )
        entry.version += 1
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {name}")
        if value is None and name not in ("date", "hours", "category"):
            value = ""
        setattr(entry, name, value)
    entry.updated_at = timezone.now()
    entry.full_clean(exclude=["enrollment"])
    entry.save()
    return entry


def locked_message(entry) -> str:
    if entry.supervisor_status == SupervisorStatus.CONFIRMED and entry.status in Status.values:
        if entry.can_be_corrected:
            return _(
                "This entry was confirmed by the supervisor and is locked. Add a correction "
                "to change it; the supervisor will be asked to confirm again."
            )
    if entry.status == Status.SUBMITTED:
        return _("This entry has been submitted and is waiting for review; it cannot be changed.")
    return _("This entry has been decided by an instructor and can no longer be changed.")


# --- Submission ----------------------------------------------------------------------------
def _complete_check(entry, requirement):
    errors = {}
    required = {
        "date": _("Enter the date of the activity."),
        "hours": _("Enter the hours."),
        "prefecture": _("Choose the prefecture."),
        "municipality": _("Enter the municipality (city, town or village)."),
        "site": _("Enter the host organisation or the site."),
        "category": _("Choose the category of the activity."),
        "activity": _("Describe what you did."),
        "learned": _("Write what you learned."),
    }
    for name, message in required.items():
        if getattr(entry, name) in (None, ""):
            errors[name] = message
    if entry.date is not None:
        try:
            date_check(entry.date, enrollment=entry.enrollment)
        except ValidationError as exc:
            errors["date"] = exc.messages[0]
    if entry.hours is not None:
        try:
            hours_check(entry.hours)
        except ValidationError as exc:
            errors["hours"] = exc.messages[0]
    if entry.category_id and requirement is not None:
        allowed = {c.pk for c in requirement.categories.all()}
        if allowed and entry.category_id not in allowed:
            errors["category"] = _("This category does not count for this course.")
    if bool(entry.supervisor_name) != bool(entry.supervisor_email):
        key = "supervisor_email" if entry.supervisor_name else "supervisor_name"
        errors[key] = _("Enter both the supervisor's name and e-mail address, or neither.")
    if errors:
        raise ValidationError(errors)


def _day_total_check(entry):
    """Hours of the trainee's other live entries on the same day, all courses, plus this one."""
    others = FieldworkEntry.objects.filter(
        enrollment__user_id=entry.enrollment.user_id, date=entry.date
    ).exclude(pk=entry.pk).exclude(status__in=[Status.DRAFT, Status.REJECTED]).aggregate(
        total=Sum("hours")
    )["total"] or Decimal("0")
    if others + entry.hours > DAY_LIMIT:
        raise ValidationError(
            {
                "hours": _(
                    "Together with your other entries for %(date)s (%(other)s hours), this "
                    "makes more than 24 hours in one day."
                )
                % {"date": entry.date.strftime("%Y-%m-%d"), "other": _hours_text(others)}
            },
            code="day_total",
        )


def _hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def entry_submit(*, entry: FieldworkEntry, actor, notify: bool = True) -> FieldworkEntry:
    """Send a draft (or a returned entry) for review; the supervisor gets a one-time link.

    ``notify=False`` (demo data) makes the link without e-mailing it.
    """
    # The trainee's user row serialises their submissions (in every course), so two tabs
    # cannot both fit 20 hours into the same day.
    enrollment = Enrollment.objects.get(pk=entry.enrollment_id)
    list(get_user_model().objects.select_for_update().filter(pk=enrollment.user_id).values("pk"))
    entry = (
        FieldworkEntry.objects.select_for_update(of=("self",))
        .select_related("enrollment")
        .get(pk=entry.pk)
    )
    entry.enrollment = enrollment
    _require_owner(entry, actor)
    _require_active(enrollment)
    if entry.status not in FieldworkEntry.EDITABLE:
        raise ValidationError(locked_message(entry), code="locked")
    requirement = (
        FieldworkRequirement.objects.filter(course_id=enrollment.course_id)
        .prefetch_related("categories")
        .first()
    )
    _complete_check(entry, requirement)
    _day_total_check(entry)
    previous = entry.status
    now = timezone.now()
    entry.status = Status.SUBMITTED
    entry.submitted_at = now
    entry.updated_at = now
    entry.version += 1
    entry.review_comment = entry.review_comment if previous == Status.RETURNED else ""
    entry.save()
    _event(entry, kind="review", from_status=previous, to_status=entry.status, actor=actor)
    if entry.supervisor_email and entry.supervisor_status != SupervisorStatus.CONFIRMED:
        supervisor_link_send(entry=entry, notify=notify)
    return entry


def supervisor_link_send(
    *, entry: FieldworkEntry, notify: bool = True
) -> tuple[SupervisorToken, str]:
    """Revoke earlier links of the entry, make a new one and e-mail it after commit.

    Returns the token row and the raw token (which is otherwise only in the e-mail).
    """
    from .tasks import send_supervisor_request

    now = timezone.now()
    SupervisorToken.objects.filter(
        entry=entry, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw, hashed = tokens.token_new()
    token = SupervisorToken.objects.create(
        entry=entry,
        token_hash=hashed,
        email=entry.supervisor_email,
        created_at=now,
        expires_at=now + tokens.link_lifetime(),
    )
    previous = entry.supervisor_status
    if previous != SupervisorStatus.PENDING:
        FieldworkEntry.objects.filter(pk=entry.pk).update(
            supervisor_status=SupervisorStatus.PENDING
        )
        entry.supervisor_status = SupervisorStatus.PENDING
        _event(
            entry,
            kind="supervisor",
            from_status=previous,
            to_status=SupervisorStatus.PENDING,
            actor_label=_("System (link sent to %(email)s)") % {"email": entry.supervisor_email},
        )
    if notify:
        transaction.on_commit(
            lambda: send_supervisor_request.enqueue(token_id=token.pk, raw_token=raw)
        )
    return token, raw


# --- The supervisor ------------------------------------------------------------------------
def supervisor_token_check(raw_token: str) -> SupervisorToken:
    """The token behind a link, or ``LinkRefused`` saying why it cannot be used."""
    token = (
        SupervisorToken.objects.select_related(
            "entry", "entry__category", "entry__enrollment__user", "entry__enrollment__course"
        )
        .filter(token_hash=tokens.token_hash(raw_token))
        .first()
    )
    _refuse_unusable(token)
    return token


def _refuse_unusable(token):
    if token is None:
        raise LinkRefused("invalid")
    if token.used_at is not None:
        raise LinkRefused("used", token.entry)
    if token.revoked_at is not None:
        raise LinkRefused("revoked", token.entry)
    if token.expires_at <= timezone.now():
        raise LinkRefused("expired", token.entry)


@transaction.atomic
def supervisor_respond(*, raw_token: str, confirm: bool, comment: str = "") -> FieldworkEntry:
    """The supervisor confirms or disputes the entry; the link then stops working."""
    token = (
        SupervisorToken.objects.select_for_update()
        .filter(token_hash=tokens.token_hash(raw_token))
        .first()
    )
    _refuse_unusable(token)
    comment = (comment or "").strip()
    if not confirm and not comment:
        raise ValidationError(
            {"comment": _("Please write what is not right, so the trainee can correct it.")}
        )
    entry = FieldworkEntry.objects.select_for_update().get(pk=token.entry_id)
    now = timezone.now()
    token.used_at = now
    token.save(update_fields=["used_at"])
    previous = entry.supervisor_status
    entry.supervisor_status = SupervisorStatus.CONFIRMED if confirm else SupervisorStatus.DISPUTED
    entry.supervisor_comment = comment
    entry.save(update_fields=["supervisor_status", "supervisor_comment"])
    label = _("Supervisor %(name)s") % {"name": entry.supervisor_name}
    _event(
        entry,
        kind="supervisor",
        from_status=previous,
        to_status=entry.supervisor_status,
        actor_label=label,
        comment=comment,
        snapshot=_snapshot(entry),
    )
    log(
        instance=entry,
        action=LOG_SUPERVISOR,
        user=None,
        data={"to_status": entry.supervisor_status, "comment": comment, "by": label},
    )
    return entry


# --- Corrections ---------------------------------------------------------------------------
@transaction.atomic
def entry_correction_start(*, entry: FieldworkEntry, actor, reason: str) -> FieldworkEntry:
    """Reopen a confirmed entry for a correction; the supervisor will confirm it again.

    What the supervisor confirmed is kept in the event's snapshot.
    """
    entry = (
        FieldworkEntry.objects.select_for_update(of=("self",))
        .select_related("enrollment")
        .get(pk=entry.pk)
    )
    _require_owner(entry, actor)
    if not entry.can_be_corrected:
        raise ValidationError(
            _("Only entries confirmed by the supervisor and not yet decided can be corrected."),
            code="not_correctable",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please say what you are correcting and why.")})
    previous_status = entry.status
    snapshot = _snapshot(entry)
    entry.status = Status.DRAFT if previous_status == Status.SUBMITTED else previous_status
    entry.supervisor_status = SupervisorStatus.NONE
    entry.corrections += 1
    entry.version += 1
    entry.updated_at = timezone.now()
    entry.save()
    SupervisorToken.objects.filter(
        entry=entry, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    _event(
        entry,
        kind="correction",
        from_status=previous_status,
        to_status=entry.status,
        actor=actor,
        comment=reason,
        snapshot=snapshot,
    )
    return entry


# --- Review by an instructor ---------------------------------------------------------------
DECISIONS = {
    "approve": (Status.APPROVED, LOG_APPROVE),
    "return": (Status.RETURNED, LOG_RETURN),
    "reject": (Status.REJECTED, LOG_REJECT),
}


@transaction.atomic
def entry_review(
    *, entry: FieldworkEntry, actor, decision: str, comment: str = "", notify: bool = True
) -> FieldworkEntry:
    """Approve, return (the trainee edits and resubmits) or reject a submitted entry.

    The trainee is e-mailed the decision unless ``notify=False`` (demo data).
    """
    if decision not in DECISIONS:
        raise ValueError(decision)
    entry = FieldworkEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Status.SUBMITTED:
        raise ValidationError(
            _("Only entries awaiting review can be decided (this one is “%(status)s”).")
            % {"status": entry.get_status_display()},
            code="not_submitted",
        )
    comment = (comment or "").strip()
    if decision in ("return", "reject") and not comment:
        raise ValidationError(
            {"comment": _("Write a comment for the trainee: what to change, or why.")}
        )
    to_status, action = DECISIONS[decision]
    previous = entry.status
    entry.status = to_status
    entry.review_comment = comment
    entry.reviewed_at = timezone.now()
    entry.version += 1
    entry.save()
    _event(
        entry,
        kind="review",
        from_status=previous,
        to_status=to_status,
        actor=actor,
        comment=comment,
    )
    log(instance=entry, action=action, user=actor, data={"comment": comment})
    if to_status == Status.APPROVED:
        completion_inputs_changed_send(enrollment_id=entry.enrollment_id)
    if notify:
        from .tasks import send_review_email

        transaction.on_commit(lambda: send_review_email.enqueue(entry_id=entry.pk))
    return entry


# --- Attachments ---------------------------------------------------------------------------
def _quota_check(user_id, size):
    used = (
        FieldworkAttachment.objects.filter(entry__enrollment__user_id=user_id).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )
    limit = uploads.quota_bytes()
    if used + size > limit:
        raise ValidationError(
            _(
                "Your storage for attachments is full (%(used)s of %(limit)s MB used). Remove "
                "photos you no longer need, or make them smaller."
            )
            % {"used": uploads.megabytes(used), "limit": uploads.megabytes(limit)},
            code="quota",
        )


class StorageUnavailable(ValidationError):
    """The file could not be written (a full disk, an unreachable object store)."""


def _storage_unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        _(
            "The file could not be saved because the storage for attachments is not available "
            "right now. Your entry is saved; please try attaching the file again later. If this "
            "keeps happening, tell the academy's office."
        ),
        code="storage",
    )


def _store(storage, name: str, content: bytes, written: list[str]) -> str:
    """Save ``content`` under ``name`` (unique: it holds a random part) and note it in
    ``written``; a storage error removes whatever part of the file was written and becomes
    ``StorageUnavailable``."""
    try:
        stored = storage.save(name, ContentFile(content))
    except Exception as exc:
        logger.warning("fieldwork attachment %s could not be stored: %r", name, exc)
        try:
            if storage.exists(name):
                storage.delete(name)  # a full disk fails in the middle of a file
        except Exception:
            logger.warning("could not remove the partial file %s", name, exc_info=True)
        raise _storage_unavailable() from exc
    written.append(stored)
    return stored


def attachment_add(*, entry: FieldworkEntry, actor, uploaded) -> FieldworkAttachment:
    """Check, clean and store a file for the entry.

    The file is written first and the row after it; if the row cannot be written the file
    is deleted again, so no row ever points at a missing file and no file is left without
    its row. A storage error (a full disk, an unreachable object store) is a
    ``StorageUnavailable`` with a message for the trainee; the entry is not touched.
    """
    _require_owner(entry, actor)
    if not entry.is_editable:
        raise ValidationError(locked_message(entry), code="locked")
    clean = uploads.clean_upload(uploaded)
    _quota_check(actor.pk, len(clean.content))
    storage = storages["private"]
    stem = f"fieldwork/{entry.enrollment_id}/{entry.pk}/{uuid.uuid4().hex}"
    written: list[str] = []
    try:
        name = _store(storage, f"{stem}.{clean.extension}", clean.content, written)
        thumb_name = ""
        if clean.thumbnail is not None:
            thumb_name = _store(storage, f"{stem}-thumb.jpg", clean.thumbnail, written)
        with transaction.atomic():
            locked = FieldworkEntry.objects.select_for_update().get(pk=entry.pk)
            if not locked.is_editable:
                raise ValidationError(locked_message(locked), code="locked")
            _quota_check(actor.pk, len(clean.content))
            attachment = FieldworkAttachment.objects.create(
                entry=locked,
                kind=clean.kind,
                file=name,
                thumbnail=thumb_name,
                original_name=clean.original_name,
                content_type=clean.content_type,
                size=len(clean.content),
                width=clean.width,
                height=clean.height,
                uploaded_by=actor,
            )
    except BaseException:
        for stored in written:
            try:
                storage.delete(stored)
            except Exception:
                logger.warning("could not remove %s", stored, exc_info=True)
        raise
    return attachment


def attachment_delete(*, attachment: FieldworkAttachment, actor) -> None:
    """Remove an attachment of an editable entry (the row, then its files)."""
    entry = attachment.entry
    _require_owner(entry, actor)
    if not entry.is_editable:
        raise ValidationError(locked_message(entry), code="locked")
    names = [attachment.file, attachment.thumbnail]
    attachment.delete()
    storage = storages["private"]
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))

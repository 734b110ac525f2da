"""Writes of the certificates app: completing courses, issuing, rendering, reissuing, revoking.

* ``enrollment_complete_if_eligible``: the course is complete -> the enrollment is marked
  completed and its certificate issued (automatically, through the task API).
* ``certificate_issue``: one certificate per enrollment whatever the concurrency (the
  enrollment row is locked; the database constraint is the last guard). The row is made
  ``pending`` with its serial, code and snapshot; the PDF is rendered by the task
  ``tasks.render_certificate`` after the commit.
* ``certificate_render``: renders and stores the PDF once. A failure the same input would
  repeat (a character the fonts lack, a design that does not fit, a broken image) marks the
  certificate ``failed`` with a message for the admin and stores nothing. A failure that
  says nothing about the certificate (the renderer killed or timed out, the storage full
  or unreachable) leaves it ``pending`` with the reason noted, stores nothing, and the task
  tries again later; after ``MAX_RENDER_ATTEMPTS`` such tries it is marked ``failed`` so an
  admin sees it (docs/decisions/0022-render-failures.md). ``certificate_retry`` tries a
  failed one again with the current name (after an admin corrected it).
* ``certificate_reissue`` / ``certificate_revoke``: recorded on the rows (who, when, why)
  and in Wagtail's audit log.
* ``certificate_issue_after_revocation``: a new certificate following a revoked one, only
  by an administrator's explicit action (automatic issuing returns the revoked one); the
  revoked row is never changed, the new one points back at it (``replaces``).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.courses.models import Enrollment
from lms.courses.services import enrollment_complete

from . import rendering
from .eligibility import eligibility
from .models import Certificate, CertificateTemplate, SerialCounter, format_serial

logger = logging.getLogger(__name__)

LOG_ISSUE = "certificates.issue"
LOG_REISSUE = "certificates.reissue"
LOG_REVOKE = "certificates.revoke"
LOG_RETRY = "certificates.retry"
LOG_FAILED = "certificates.failed"
LOG_ISSUE_AFTER_REVOCATION = "certificates.issue_after_revocation"

Status = Certificate.Status
#: Seconds a render may take before it is stopped (the certificate stays pending).
RENDER_TIMEOUT = 60
#: Seconds to wait before the 2nd, 3rd, 4th try after an interrupted render (a backend
#: that can defer tasks only); the last interruption marks the certificate failed.
RETRY_DELAYS = (60, 5 * 60, 30 * 60)
MAX_RENDER_ATTEMPTS = len(RETRY_DELAYS) + 1


def private_storage():
    return storages["private"]


@transaction.atomic
def enrollment_complete_if_eligible(*, enrollment_id: int) -> Enrollment:
    """Mark the enrollment completed when ``eligibility`` says every requirement is met,
    and issue its certificate.

    Called inside the transaction of whatever changed (a lesson, a grade, a fieldwork
    decision), so the completion and the pending certificate commit with it; the PDF is
    rendered after the commit. Idempotent.
    """
    enrollment = Enrollment.objects.select_related("course").get(pk=enrollment_id)
    if enrollment.status != Enrollment.Status.ACTIVE:
        return enrollment
    if eligibility(enrollment).complete:
        enrollment = enrollment_complete(enrollment=enrollment)
        certificate_issue(enrollment=enrollment)
    return enrollment


# --- Issuing --------------------------------------------------------------------------------
def template_for(*, course_id: int, language: str) -> CertificateTemplate | None:
    """The course's own design in ``language``, else the default design in ``language``,
    else the default Japanese design."""
    candidates = list(
        CertificateTemplate.objects.filter(language__in=[language, "ja"])
        .filter(Q(course_id=course_id) | Q(is_default=True))
        .select_related("seal_image", "logo_image")
    )

    def pick(lang):
        own = [t for t in candidates if t.language == lang and t.course_id == course_id]
        if own:
            return own[0]
        default = [t for t in candidates if t.language == lang and t.is_default]
        return default[0] if default else None

    return pick(language) or pick("ja")


def _language_of(user) -> str:
    return "en" if (user.preferred_language or "").startswith("en") else "ja"


def _snapshot(enrollment: Enrollment, *, language: str) -> dict:
    user = enrollment.user
    course = enrollment.course
    return {
        "name": user.get_full_name(language=language),
        "name_kana": user.full_name_kana if language == "ja" else "",
        "course_title": course.title,
        "hours": course.total_hours,
    }


def _next_serial(year: int) -> tuple[int, str]:
    """The next sequence number of ``year``, under a row lock held until the commit."""
    SerialCounter.objects.get_or_create(year=year)
    counter = SerialCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, format_serial(year, counter.last)


def _current(enrollment_id: int) -> Certificate | None:
    """The enrollment's current certificate (``Certificate.objects.current()``); a revoked
    one counts, so automatic issuing never replaces a revocation."""
    return (
        Certificate.objects.current()
        .filter(enrollment_id=enrollment_id)
        .order_by("-created_at", "-pk")
        .first()
    )


def _enqueue_render(certificate: Certificate) -> None:
    from .tasks import render_certificate

    certificate_id = certificate.pk
    transaction.on_commit(lambda: render_certificate.enqueue(certificate_id=certificate_id))


def _new_certificate(
    *,
    enrollment: Enrollment,
    actor,
    completed_on,
    language: str | None = None,
    replaces: Certificate | None = None,
    replacement_reason: str = "",
) -> Certificate:
    language = language or _language_of(enrollment.user)
    template = template_for(course_id=enrollment.course_id, language=language)
    if template is not None:
        language = template.language
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence, serial = _next_serial(year)
    certificate = Certificate(
        enrollment=enrollment,
        year=year,
        sequence=sequence,
        serial=serial,
        status=Status.PENDING,
        completed_on=completed_on,
        language=language,
        template=template,
        issued_by=actor,
        created_at=now,
        replaces=replaces,
        replacement_reason=replacement_reason,
        **_snapshot(enrollment, language=language),
    )
    certificate.full_clean(exclude=["enrollment", "template", "issued_by", "replaces"])
    certificate.save()
    return certificate


def _lock_enrollment(enrollment_id: int) -> Enrollment:
    """The enrollment row, locked until the commit: every certificate of an enrollment is
    created under this lock."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("user", "course")
        .get(pk=enrollment_id)
    )


def issue_refusals(enrollment: Enrollment) -> list[str]:
    """Why ``enrollment`` cannot receive a certificate now, in words an instructor can act
    on; empty when it can (completed, or active with every requirement met)."""
    if enrollment.status == Enrollment.Status.ACTIVE:
        result = eligibility(enrollment)
        if result.complete:
            return []
        return [m.message for m in result.missing] or [
            _("This course has no requirements yet, so there is nothing to certify.")
        ]
    if enrollment.status != Enrollment.Status.COMPLETED:
        return [_("Only a trainee who completed the course can receive a certificate.")]
    return []


def _completed_for_certificate(enrollment: Enrollment, *, actor) -> Enrollment:
    """The rule of every new certificate (under the enrollment's lock): a completed
    enrollment, or an active one that is eligible, which is completed now; anything else
    is refused with ``issue_refusals``."""
    refusals = issue_refusals(enrollment)
    if refusals:
        raise ValidationError(refusals)
    if enrollment.status == Enrollment.Status.ACTIVE:
        enrollment = enrollment_complete(enrollment=enrollment, actor=actor)
    return enrollment


def certificate_issue(*, enrollment: Enrollment, actor=None) -> Certificate:
    """The enrollment's certificate, issued now if it has none (idempotent).

    ``actor`` is the instructor issuing it, ``None`` when automatic. An enrollment that is
    still active is completed first if it is eligible; otherwise a ``ValidationError``
    says what is missing. A revoked certificate is the enrollment's certificate too: it is
    returned, never replaced (only ``certificate_issue_after_revocation`` does that).
    """
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment.pk)
        existing = _current(enrollment.pk)
        if existing is not None:
            return existing
        enrollment = _completed_for_certificate(enrollment, actor=actor)
        completed_on = timezone.localdate(enrollment.status_changed_at)
        try:
            with transaction.atomic():
                certificate = _new_certificate(
                    enrollment=enrollment, actor=actor, completed_on=completed_on
                )
        except IntegrityError:
            # The constraint, as the last guard: someone else's certificate won.
            existing = _current(enrollment.pk)
            if existing is None:
                raise
            return existing
        log(
            instance=certificate,
            action=LOG_ISSUE,
            user=actor,
            data={"serial": certificate.serial, "automatic": actor is None},
        )
        _enqueue_render(certificate)
        return certificate


@dataclass
class BulkIssueResult:
    issued: list[Certificate] = field(default_factory=list)
    already: list[Certificate] = field(default_factory=list)
    refused: list[tuple[Enrollment, list[str]]] = field(default_factory=list)


def certificates_issue_bulk(*, enrollments, actor) -> BulkIssueResult:
    """Issue the certificates of the chosen enrollments of a cohort (each in its own
    transaction, so one refusal loses nothing of the others)."""
    result = BulkIssueResult()
    for enrollment in enrollments:
        had = _current(enrollment.pk)
        try:
            certificate = certificate_issue(enrollment=enrollment, actor=actor)
        except ValidationError as exc:
            result.refused.append((enrollment, exc.messages))
            continue
        (result.already if had is not None else result.issued).append(certificate)
    return result


# --- Rendering ------------------------------------------------------------------------------
def verification_url(certificate: Certificate) -> str:
    with translation.override(certificate.language):
        path = reverse("certificates:verify", args=[certificate.code])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def content_of(certificate: Certificate) -> rendering.CertificateContent:
    return rendering.CertificateContent(
        name=certificate.name,
        name_kana=certificate.name_kana,
        course_title=certificate.course_title,
        completed_on=certificate.completed_on,
        hours=certificate.hours,
        serial=certificate.serial,
        verification_url=verification_url(certificate),
    )


def _fail(certificate_id: int, *, error: str, missing=()) -> None:
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status not in (Status.PENDING, Status.FAILED):
            return
        certificate.status = Status.FAILED
        certificate.error = error
        certificate.missing_characters = [list(item) for item in missing]
        certificate.save(update_fields=["status", "error", "missing_characters"])
        log(instance=certificate, action=LOG_FAILED, user=None, data={"error": error})


def _interrupted(certificate_id: int, *, error: str, attempt: int) -> Certificate:
    """A render stopped by something outside the certificate: nothing was stored. The
    certificate stays pending with the reason noted (the task tries again), unless this
    was the last try: then it is failed, for an admin to see and retry."""
    if attempt >= MAX_RENDER_ATTEMPTS:
        _fail(
            certificate_id,
            error=_("The PDF could not be made after %(count)s tries (last: %(error)s).")
            % {"count": attempt, "error": error},
        )
        return Certificate.objects.get(pk=certificate_id)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status == Status.PENDING:
            certificate.error = error
            certificate.save(update_fields=["error"])
    return certificate


def _store_pdf(storage, name: str, pdf: bytes) -> str:
    """Save the PDF under ``name`` (unique: it holds a random part); on any error remove
    whatever part of it was written (a full disk fails in the middle of a file)."""
    try:
        return storage.save(name, ContentFile(pdf))
    except BaseException:
        try:
            if storage.exists(name):
                storage.delete(name)
        except Exception:  # the storage is unreachable: nothing was kept there either
            logger.warning("could not remove the partial file %s", name, exc_info=True)
        raise


def certificate_render(*, certificate_id: int, attempt: int = 1) -> Certificate:
    """Render and store the PDF of a pending (or failed) certificate, exactly once.

    The file is written first, then the row is updated under a lock; if the row was
    issued meanwhile (a second worker) or the update fails, the new file is deleted, so
    no row ever points at a missing file and no file is left without its row.

    ``attempt`` counts the tries after interruptions (see ``_interrupted``); the status the
    certificate ends in says what happened: issued, failed, or still pending (interrupted).
    """
    certificate = Certificate.objects.select_related(
        "template__seal_image", "template__logo_image"
    ).get(pk=certificate_id)
    if certificate.status not in (Status.PENDING, Status.FAILED):
        return certificate
    with translation.override(settings.LANGUAGE_CODE):
        if certificate.template is None:
            _fail(
                certificate_id,
                error=_(
                    "There is no certificate design for this language: "
                    "add a default design in Certificate designs."
                ),
            )
            return Certificate.objects.get(pk=certificate_id)
        try:
            design = certificate.template.design()  # reads the seal and logo from storage
            pdf = rendering.render_certificate(
                content_of(certificate), design, timeout=RENDER_TIMEOUT
            )
        except rendering.MissingGlyphs as exc:
            _fail(certificate_id, error=str(exc), missing=exc.missing)
            return Certificate.objects.get(pk=certificate_id)
        except rendering.RenderTimeout:
            logger.warning("certificate %s: the render timed out", certificate_id)
            return _interrupted(
                certificate_id,
                error=_("Making the PDF took too long and was stopped. Try again later."),
                attempt=attempt,
            )
        except rendering.RenderInterrupted as exc:
            logger.warning("certificate %s: the render was interrupted: %s", certificate_id, exc)
            return _interrupted(certificate_id, error=str(exc), attempt=attempt)
        except OSError as exc:  # the design's images could not be read from storage
            logger.warning("certificate %s: storage error: %s", certificate_id, exc)
            return _interrupted(
                certificate_id,
                error=_("The files of the design could not be read: %(error)s") % {"error": exc},
                attempt=attempt,
            )
        except Exception as exc:  # a broken image, an unusable design, ...
            logger.exception("certificate %s could not be rendered", certificate_id)
            _fail(
                certificate_id,
                error=_("The PDF could not be made: %(error)s") % {"error": exc},
            )
            return Certificate.objects.get(pk=certificate_id)

        storage = private_storage()
        try:
            name = _store_pdf(
                storage,
                f"certificates/{certificate.year}/{certificate.serial}-{uuid.uuid4().hex}.pdf",
                pdf,
            )
        except Exception as exc:  # a full disk, an unreachable object store, ...
            logger.warning("certificate %s: the PDF could not be stored: %s", certificate_id, exc)
            return _interrupted(
                certificate_id,
                error=_("The PDF could not be stored: %(error)s") % {"error": exc},
                attempt=attempt,
            )
    try:
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
            if certificate.status not in (Status.PENDING, Status.FAILED) or certificate.pdf_file:
                storage.delete(name)
                return certificate
            certificate.pdf_file = name
            certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.status = Status.ISSUED
            certificate.issued_at = timezone.now()
            certificate.error = ""
            certificate.missing_characters = []
            certificate.save(
                update_fields=[
                    "pdf_file",
                    "pdf_sha256",
                    "status",
                    "issued_at",
                    "error",
                    "missing_characters",
                ]
            )
    except BaseException:
        storage.delete(name)
        raise
    return certificate


def certificate_retry(*, certificate: Certificate, actor) -> Certificate:
    """Try a failed certificate again, with the trainee's name and the course as they are
    now (an admin corrected the name) and the current design."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__user", "enrollment__course")
            .get(pk=certificate.pk)
        )
        if certificate.status != Status.FAILED:
            raise ValidationError(_("Only a certificate that could not be made can be retried."))
        template = template_for(
            course_id=certificate.enrollment.course_id,
            language=_language_of(certificate.enrollment.user),
        )
        if template is not None:
            certificate.language = template.language
        certificate.template = template
        for name, value in _snapshot(certificate.enrollment, language=certificate.language).items():
            setattr(certificate, name, value)
        certificate.status = Status.PENDING
        certificate.error = ""
        certificate.missing_characters = []
        certificate.save()
        log(instance=certificate, action=LOG_RETRY, user=actor, data={"serial": certificate.serial})
        _enqueue_render(certificate)
    return certificate


# --- Reissue and revocation ---------------------------------------------------------------
def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: it is kept in the history.")})
    return reason


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """A new certificate with the trainee's current name (e.g. after a name change); the
    old one is kept, marked superseded, and its code says so and points to the new one."""
    reason = _reason(reason)
    with transaction.atomic():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__user", "enrollment__course")
            .get(pk=certificate.pk)
        )
        if old.status != Status.ISSUED:
            raise ValidationError(_("Only a valid certificate can be reissued."))
        now = timezone.now()
        old.status = Status.SUPERSEDED
        old.superseded_at = now
        old.reissue_reason = reason
        old.save(update_fields=["status", "superseded_at", "reissue_reason"])
        new = _new_certificate(
            enrollment=old.enrollment, actor=actor, completed_on=old.completed_on
        )
        old.superseded_by = new
        old.save(update_fields=["superseded_by"])
        log(
            instance=old,
            action=LOG_REISSUE,
            user=actor,
            data={"reason": reason, "serial": old.serial, "new_serial": new.serial},
        )
        log(
            instance=new,
            action=LOG_ISSUE,
            user=actor,
            data={"serial": new.serial, "automatic": False, "replaces": old.serial},
        )
        _enqueue_render(new)
    return new


def certificate_issue_after_revocation(
    *, certificate: Certificate, actor, reason: str
) -> Certificate:
    """A new certificate (new serial, new code, the name as now registered, a new PDF) for
    the enrollment of a revoked certificate: after a revocation by mistake, or when the
    trainee completed the course again. Only this explicit action follows a revocation.

    The revoked certificate is not changed (it still verifies as revoked); the new one
    points back at it (``replaces``) with the reason. The enrollment must qualify as for
    any certificate (``issue_refusals``). A revoked certificate is followed at most once:
    a second request (a double click, two administrators) returns the certificate the first
    one made, and the database refuses a second follower or a second live certificate.
    """
    reason = _reason(reason)
    with transaction.atomic():
        enrollment = _lock_enrollment(certificate.enrollment_id)
        revoked = Certificate.objects.get(pk=certificate.pk)
        follower = Certificate.objects.filter(replaces=revoked).first()
        if follower is not None:
            return follower
        if revoked.status != Status.REVOKED:
            raise ValidationError(
                _("Only a revoked certificate can be followed by a new certificate.")
            )
        enrollment = _completed_for_certificate(enrollment, actor=actor)
        new = _new_certificate(
            enrollment=enrollment,
            actor=actor,
            completed_on=timezone.localdate(enrollment.status_changed_at),
            replaces=revoked,
            replacement_reason=reason,
        )
        log(
            instance=revoked,
            action=LOG_ISSUE_AFTER_REVOCATION,
            user=actor,
            data={"reason": reason, "serial": revoked.serial, "new_serial": new.serial},
        )
        log(
            instance=new,
            action=LOG_ISSUE,
            user=actor,
            data={
                "serial": new.serial,
                "automatic": False,
                "after_revocation": revoked.serial,
                "reason": reason,
            },
        )
        _enqueue_render(new)
    return new


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke a certificate: the verification page says so, with the date."""
    reason = _reason(reason)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status not in (Status.ISSUED, Status.PENDING, Status.FAILED):
            raise ValidationError(_("This certificate cannot be revoked any more."))
        certificate.status = Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revoked_reason = reason
        certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
        log(
            instance=certificate,
            action=LOG_REVOKE,
            user=actor,
            data={"reason": reason, "serial": certificate.serial},
        )
    return certificate

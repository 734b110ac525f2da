"""Reads of the privacy app: everything the academy holds about one person, and what an
erasure would touch.

``personal_data`` answers in a fixed number of queries whatever the number of enrollments,
attempts or fieldwork entries (prefetches, no per-row queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db.models import Prefetch
from django.urls import reverse

from lms.assessments import grading
from lms.assessments.models import Answer, Attempt
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment, EnrollmentEvent, LessonProgress
from lms.fieldwork.models import FieldworkAttachment, FieldworkEntry, FieldworkEvent

#: User fields exported as the profile (the password hash never is).
PROFILE_FIELDS = (
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "preferred_language",
    "date_joined",
    "last_login",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def _decimal(value):
    return str(value) if value is not None else None


def reminder_preferences(user) -> dict:
    """Any reminder preference the account has (fields with ``reminder`` in their name).

    The reminders app adds its preference to the user model; this reads whatever is there
    without importing it.
    """
    return {
        f.name: getattr(user, f.attname) for f in user._meta.concrete_fields if "reminder" in f.name
    }


@dataclass
class PersonalData:
    """What the export writes: plain data (JSON-ready) and the files to copy."""

    profile: dict
    enrollments: list[dict]
    quiz_attempts: list[dict]
    fieldwork_entries: list[dict]
    certificates: list[dict]
    #: (name in the ZIP, name in storages["private"])
    files: list[tuple[str, str]] = field(default_factory=list)


def _profile(user) -> dict:
    profile = {name: getattr(user, name) for name in PROFILE_FIELDS}
    profile["date_joined"] = _iso(user.date_joined)
    profile["last_login"] = _iso(user.last_login)
    profile["email_addresses"] = [
        {"email": a.email, "verified": a.verified, "primary": a.primary}
        for a in EmailAddress.objects.filter(user=user).order_by("pk")
    ]
    profile["partner_organisations"] = [o.name for o in user.partner_organisations.order_by("name")]
    profile["reminder_preferences"] = reminder_preferences(user)
    return profile


def _enrollments(user) -> list[dict]:
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("course", "cohort", "last_lesson")
        .prefetch_related(
            Prefetch("events", queryset=EnrollmentEvent.objects.order_by("created_at", "pk")),
            Prefetch(
                "lesson_progress",
                queryset=LessonProgress.objects.select_related("lesson").order_by(
                    "completed_at", "pk"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": e.pk,
            "course": e.course.title,
            "cohort": e.cohort.name if e.cohort else None,
            "status": e.status,
            "status_label": str(e.get_status_display()),
            "applied_at": _iso(e.created_at),
            "status_changed_at": _iso(e.status_changed_at),
            "waitlisted_at": _iso(e.waitlisted_at),
            "message_from_instructor": e.decision_message,
            "last_lesson": e.last_lesson.title if e.last_lesson else None,
            "last_activity_at": _iso(e.last_activity_at),
            "history": [
                {
                    "from": ev.from_status,
                    "to": ev.to_status,
                    "at": _iso(ev.created_at),
                    "message": ev.message,
                }
                for ev in e.events.all()
            ],
            "completed_lessons": [
                {"lesson": p.lesson.title, "completed_at": _iso(p.completed_at)}
                for p in e.lesson_progress.all()
            ],
        }
        for e in enrollments
    ]


def _answer(answer: Answer, *, review: bool) -> dict:
    """One answer as the trainee may see it: the whole question (correct answers, feedback,
    score per question, grader's comment) only once the quiz's review policy allows it;
    before that, the question as shown during the attempt and the trainee's own response."""
    if review:
        return {
            "position": answer.position,
            "question": answer.grading_question,
            "response": answer.response,
            "score": _decimal(answer.score),
            "max_score": _decimal(answer.max_score),
            "comment": answer.comment,
        }
    return {
        "position": answer.position,
        "question": grading.public_question(answer.question),
        "response": answer.response,
        "max_score": _decimal(answer.max_score),
    }


def _attempts(user) -> list[dict]:
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz", "enrollment__course")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("position")))
        .order_by("started_at", "pk")
    )
    rows = []
    for attempt in attempts:
        review = attempt.review_allowed()
        graded = attempt.status == Attempt.Status.GRADED
        rows.append(
            {
                "id": attempt.pk,
                "quiz": attempt.quiz.title,
                "course": attempt.enrollment.course.title,
                "number": attempt.number,
                "status": attempt.status,
                "status_label": str(attempt.get_status_display()),
                "started_at": _iso(attempt.started_at),
                "submitted_at": _iso(attempt.submitted_at),
                "graded_at": _iso(attempt.graded_at),
                "timed_out": attempt.timed_out,
                "score": _decimal(attempt.score) if graded else None,
                "max_score": _decimal(attempt.max_score),
                "percentage": _decimal(attempt.percentage) if graded else None,
                "passed": attempt.passed if graded else None,
                "review_available": review,
                "answers": [_answer(a, review=review) for a in attempt.answers.all()],
            }
        )
    return rows


def _attachment_path(entry: FieldworkEntry, attachment: FieldworkAttachment) -> str:
    # The stored name is random; the ZIP name keeps the id (unique) and the display name.
    extension = attachment.file.rsplit(".", 1)[-1] if "." in attachment.file else "bin"
    stem = attachment.original_name.rsplit(".", 1)[0].replace("/", "_").replace("\\", "_")
    return f"fieldwork/{entry.pk}/{attachment.pk}-{stem[:60]}.{extension}"


def _fieldwork(user, files: list) -> list[dict]:
    entries = (
        FieldworkEntry.objects.filter(enrollment__user=user)
        .select_related("category", "enrollment__course")
        .prefetch_related(
            Prefetch("events", queryset=FieldworkEvent.objects.order_by("created_at", "pk")),
            Prefetch("attachments", queryset=FieldworkAttachment.objects.order_by("pk")),
        )
        .order_by("date", "pk")
    )
    rows = []
    for entry in entries:
        attachments = []
        for attachment in entry.attachments.all():
            path = _attachment_path(entry, attachment)
            files.append((path, attachment.file))
            attachments.append(
                {
                    "file": path,
                    "name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "uploaded_at": _iso(attachment.created_at),
                }
            )
        rows.append(
            {
                "id": entry.pk,
                "course": entry.enrollment.course.title,
                "date": _iso(entry.date),
                "hours": _decimal(entry.hours),
                "prefecture": entry.prefecture,
                "municipality": entry.municipality,
                "site": entry.site,
                "category": str(entry.category) if entry.category else None,
                "activity": entry.activity,
                "learned": entry.learned,
                "next_steps": entry.next_steps,
                "supervisor_name": entry.supervisor_name,
                "supervisor_email": entry.supervisor_email,
                "supervisor_role": entry.supervisor_role,
                "status": entry.status,
                "status_label": str(entry.get_status_display()),
                "supervisor_status": entry.supervisor_status,
                "supervisor_status_label": str(entry.get_supervisor_status_display()),
                "supervisor_comment": entry.supervisor_comment,
                "review_comment": entry.review_comment,
                "created_at": _iso(entry.created_at),
                "submitted_at": _iso(entry.submitted_at),
                "reviewed_at": _iso(entry.reviewed_at),
                "history": [
                    {
                        "kind": ev.kind,
                        "from": ev.from_status,
                        "to": ev.to_status,
                        "by": ev.actor_label,
                        "comment": ev.comment,
                        "at": _iso(ev.created_at),
                    }
                    for ev in entry.events.all()
                ],
                "attachments": attachments,
            }
        )
    return rows


#: Certificates a trainee has been given (a pending or failed one was never issued).
HANDED_OUT = (
    Certificate.Status.ISSUED,
    Certificate.Status.REVOKED,
    Certificate.Status.SUPERSEDED,
)


def _certificates(user, files: list, *, base_url: str) -> list[dict]:
    certificates = Certificate.objects.filter(enrollment__user=user).order_by("created_at", "pk")
    rows = []
    for c in certificates:
        pdf = None
        if c.pdf_file and c.status in HANDED_OUT:
            pdf = f"certificates/{c.serial}.pdf"
            files.append((pdf, c.pdf_file))
        rows.append(
            {
                "serial": c.serial,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "name": c.name,
                "name_kana": c.name_kana,
                "course": c.course_title,
                "completed_on": _iso(c.completed_on),
                "hours": _decimal(c.hours),
                "language": c.language,
                "issued_at": _iso(c.issued_at),
                "revoked_at": _iso(c.revoked_at),
                "revoked_reason": c.revoked_reason,
                "superseded_at": _iso(c.superseded_at),
                "verify_url": base_url + reverse("certificates:verify", args=[c.code])
                if c.status in HANDED_OUT
                else None,
                "pdf": pdf,
            }
        )
    return rows


def personal_data(user, *, base_url: str = "") -> PersonalData:
    """Everything the academy holds about ``user`` as the export shows it (9 queries).

    ``base_url`` (``https://host``) makes the verification links absolute.
    """
    files: list[tuple[str, str]] = []
    return PersonalData(
        profile=_profile(user),
        enrollments=_enrollments(user),
        quiz_attempts=_attempts(user),
        fieldwork_entries=_fieldwork(user, files),
        certificates=_certificates(user, files, base_url=base_url),
        files=files,
    )


#: Enrollments an erasure withdraws (so nothing can complete, or issue a certificate, later).
ENROLLMENTS_TO_WITHDRAW = (
    Enrollment.Status.PENDING,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.ACTIVE,
)
#: Certificates never handed out that an erasure revokes (a pending one would be issued
#: later with the anonymised name).
CERTIFICATES_TO_REVOKE = (Certificate.Status.PENDING, Certificate.Status.FAILED)


@dataclass
class ErasurePreview:
    """What erasing an account would touch, in counts, for the confirmation page."""

    enrollments: int
    enrollments_to_withdraw: int
    attempts: int
    fieldwork_entries: int
    attachments: int
    certificates_kept: int
    certificates_to_revoke: int


def erasure_preview(user) -> ErasurePreview:
    """Counts for the confirmation page (one query per kind of record)."""
    enrollments = Enrollment.objects.filter(user=user)
    certificates = Certificate.objects.filter(enrollment__user=user)
    return ErasurePreview(
        enrollments=enrollments.count(),
        enrollments_to_withdraw=enrollments.filter(status__in=ENROLLMENTS_TO_WITHDRAW).count(),
        attempts=Attempt.objects.filter(user=user).count(),
        fieldwork_entries=FieldworkEntry.objects.filter(enrollment__user=user).count(),
        attachments=FieldworkAttachment.objects.filter(entry__enrollment__user=user).count(),
        certificates_kept=certificates.filter(status__in=HANDED_OUT).count(),
        certificates_to_revoke=certificates.filter(status__in=CERTIFICATES_TO_REVOKE).count(),
    )

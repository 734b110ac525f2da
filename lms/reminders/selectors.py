"""Who is due a reminder now: a fixed number of queries whatever the number of enrollments.

- "inactive": an active enrollment in a live course with no activity for
  ``REMINDER_INACTIVE_DAYS`` days, counted from the last activity, or from the approval
  when there was none, and never from before its cohort started. Not sent while the
  cohort's end is near: the deadline reminder says more then.
- "deadline": an active enrollment whose cohort ends within ``REMINDER_DEADLINE_DAYS`` days
  and that is not complete (``lms.certificates.eligibility``).
- "fieldwork": an active enrollment (with or without a cohort) whose course's fieldwork
  requirement has a deadline within ``REMINDER_DEADLINE_DAYS`` days and whose approved hours
  are still short of it (``Eligibility.missing_hours``, the same rule).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from lms.certificates.eligibility import eligibilities
from lms.courses.models import Enrollment

from .models import ReminderSent

Kind = ReminderSent.Kind


def inactive_days() -> int:
    return int(getattr(settings, "REMINDER_INACTIVE_DAYS", 14))


def deadline_days() -> int:
    return int(getattr(settings, "REMINDER_DEADLINE_DAYS", 7))


@dataclass(frozen=True)
class Due:
    """A reminder that is due: ``period`` as stored in ``ReminderSent.period``."""

    enrollment: Enrollment
    kind: str
    period: datetime.date

    @property
    def key(self) -> tuple[int, str, datetime.date]:
        return (self.enrollment.pk, self.kind, self.period)


def _active():
    return (
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, course__live=True)
        .select_related("user", "course", "cohort")
        .order_by("pk")
    )


def inactive_due(now: datetime.datetime) -> list[Due]:
    """Enrollments idle for ``inactive_days()`` days (one query)."""
    today = timezone.localdate(now)
    cutoff = now - datetime.timedelta(days=inactive_days())
    cutoff_day = timezone.localdate(cutoff)
    deadline_window_ends = today + datetime.timedelta(days=deadline_days())
    enrollments = (
        _active()
        .annotate(idle_since=Coalesce("last_activity_at", "status_changed_at"))
        .filter(idle_since__lte=cutoff)
        .filter(
            Q(cohort__isnull=True)
            | Q(cohort__starts_on__lte=cutoff_day, cohort__ends_on__gt=deadline_window_ends)
        )
    )
    due = []
    for enrollment in enrollments:
        period = timezone.localdate(enrollment.idle_since)
        if enrollment.cohort is not None:
            period = max(period, enrollment.cohort.starts_on)
        due.append(Due(enrollment, Kind.INACTIVE, period))
    return due


def deadlines_due(now: datetime.datetime) -> list[Due]:
    """Reminders before a deadline: the cohort's end ("deadline") for enrollments that are
    not complete, the fieldwork requirement's deadline ("fieldwork") for enrollments short
    of approved hours. One query for both, and those of ``eligibilities``."""
    today = timezone.localdate(now)
    window_ends = today + datetime.timedelta(days=deadline_days())
    cohort_ends = Q(cohort__ends_on__gte=today, cohort__ends_on__lte=window_ends)
    fieldwork_due = Q(
        course__fieldwork_requirement__deadline__gte=today,
        course__fieldwork_requirement__deadline__lte=window_ends,
    ) & (Q(cohort__isnull=True) | Q(cohort__starts_on__lte=today))
    enrollments = list(
        _active()
        .filter(cohort_ends | fieldwork_due)
        .annotate(fieldwork_deadline=F("course__fieldwork_requirement__deadline"))
    )
    answers = eligibilities(enrollments)
    due = []
    for enrollment in enrollments:
        answer = answers[enrollment.pk]
        cohort = enrollment.cohort
        if cohort is not None and today <= cohort.ends_on <= window_ends and not answer.complete:
            due.append(Due(enrollment, Kind.DEADLINE, cohort.ends_on))
        deadline = enrollment.fieldwork_deadline
        if (
            deadline is not None
            and today <= deadline <= window_ends
            and (cohort is None or cohort.starts_on <= today)
            and answer.missing_hours > 0
        ):
            due.append(Due(enrollment, Kind.FIELDWORK, deadline))
    return due


@dataclass(frozen=True)
class DueReminders:
    pending: list[Due]
    already_sent: int


def reminders_due(now: datetime.datetime | None = None) -> DueReminders:
    """Every reminder due now (deadline ones first), less those already sent.

    Trainees who opted out or whose account is inactive are included: the caller skips
    them and says how many it skipped. A fixed number of queries (nine with the
    eligibility rule's) whatever the number of enrollments.
    """
    now = now or timezone.now()
    due = deadlines_due(now) + inactive_due(now)
    if not due:
        return DueReminders(pending=[], already_sent=0)
    sent = set(
        ReminderSent.objects.filter(enrollment_id__in={d.enrollment.pk for d in due}).values_list(
            "enrollment_id", "kind", "period"
        )
    )
    pending = [d for d in due if d.key not in sent]
    return DueReminders(pending=pending, already_sent=len(due) - len(pending))

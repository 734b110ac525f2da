"""Writes for courses: enrolling, approving, withdrawing, the waiting list and progress.

Rules held here (and, where it can, by the database):
- one enrollment per trainee and course (a unique constraint);
- a cohort never has more active trainees than its capacity: the cohort row is locked
  (SELECT ... FOR UPDATE) while seats are counted, so concurrent requests queue;
- the waiting list is promoted in the order people joined it when a seat frees;
- every status change is kept in EnrollmentEvent with who, when and why.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import (
    Cohort,
    CoursePage,
    Enrollment,
    EnrollmentEvent,
    EnrollmentPolicy,
    LessonProgress,
)
from .signals import completion_inputs_changed_send

Status = Enrollment.Status

#: Audit-log action types of changes made by the system (registered in wagtail_hooks.py).
LOG_PROMOTE = "courses.enrollment.promote"
LOG_COMPLETE = "courses.enrollment.complete"


class EnrollmentError(ValidationError):
    """A request to enroll that cannot be granted; the message says why and what to do."""


def _record(enrollment, *, from_status, actor, message=""):
    EnrollmentEvent.objects.create(
        enrollment=enrollment,
        from_status=from_status or "",
        to_status=enrollment.status,
        actor=actor,
        message=message,
    )


def _notify(enrollment, kind):
    from .tasks import send_enrollment_email

    transaction.on_commit(
        lambda: send_enrollment_email.enqueue(enrollment_id=enrollment.pk, kind=kind)
    )


def _set_status(enrollment, status, *, actor, message=""):
    previous = enrollment.status
    now = timezone.now()
    enrollment.status = status
    enrollment.status_changed_at = now
    if status == Status.WAITLISTED:
        enrollment.waitlisted_at = now
    if message:
        enrollment.decision_message = message
    enrollment.save()
    _record(enrollment, from_status=previous, actor=actor, message=message)


def _missing_prerequisites(user, course):
    required = list(course.prerequisites.all())
    if not required:
        return []
    completed = set(
        Enrollment.objects.filter(
            user=user, course__in=required, status=Status.COMPLETED
        ).values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in completed]


def _choose_cohort(course, cohort):
    cohorts = list(course.cohorts.all())
    if cohort is not None:
        if cohort.course_id != course.pk:
            raise EnrollmentError(_("This cohort does not belong to this course."))
        return cohort
    if not cohorts:
        return None
    open_cohorts = [
        c for c in cohorts if c.is_enrollment_open() and c.ends_on >= timezone.localdate()
    ]
    if len(open_cohorts) == 1:
        return open_cohorts[0]
    if not open_cohorts:
        raise EnrollmentError(_("Enrollment for this course is not open at the moment."))
    raise EnrollmentError(_("Please choose a cohort."))


def _seat_status(cohort):
    """ACTIVE if the (locked) cohort has a free seat, else WAITLISTED."""
    if cohort is None or cohort.capacity is None:
        return Status.ACTIVE
    taken = cohort.enrollments.filter(status__in=Enrollment.SEATED).count()
    return Status.ACTIVE if taken < cohort.capacity else Status.WAITLISTED


def enrollment_create(*, user, course: CoursePage, cohort: Cohort | None = None) -> Enrollment:
    """Enroll ``user`` in ``course`` (and a cohort): active, pending approval, or waitlisted.

    A trainee who withdrew or was not accepted may apply again: the same row is reused so
    their earlier progress is kept.
    """
    if not course.live:
        raise EnrollmentError(_("This course is not published."))
    if course.enrollment_policy == EnrollmentPolicy.CLOSED:
        raise EnrollmentError(_("This course is not taking enrollments."))
    cohort = _choose_cohort(course, cohort)
    if cohort is not None and not cohort.is_enrollment_open():
        raise EnrollmentError(_("Enrollment for this cohort is not open at the moment."))
    missing = _missing_prerequisites(user, course)
    if missing:
        titles = "、".join(f"「{c.title}」" for c in missing)
        raise EnrollmentError(
            _("Before this course, please complete: %(courses)s") % {"courses": titles}
        )
    try:
        with transaction.atomic():
            if cohort is not None:
                cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
            enrollment = (
                Enrollment.objects.select_for_update().filter(user=user, course=course).first()
            )
            if enrollment is not None and enrollment.status not in (
                Status.WITHDRAWN,
                Status.REJECTED,
            ):
                raise EnrollmentError(_("You have already applied for this course."))
            if course.enrollment_policy == EnrollmentPolicy.APPROVAL:
                status = Status.PENDING
            else:
                status = _seat_status(cohort)
            if enrollment is None:
                enrollment = Enrollment(user=user, course=course, cohort=cohort, status="")
            else:
                enrollment.cohort = cohort
                enrollment.decision_message = ""
            _set_status(enrollment, status, actor=user)
    except IntegrityError as exc:
        # Two requests from the same person at once: the unique constraint kept one.
        raise EnrollmentError(_("You have already applied for this course.")) from exc
    if enrollment.status == Status.WAITLISTED:
        _notify(enrollment, "waitlisted")
    return enrollment


@transaction.atomic
def enrollment_approve(*, enrollment: Enrollment, actor, message: str = "") -> Enrollment:
    """Accept a pending application: active if a seat is free, else on the waiting list."""
    cohort = enrollment.cohort
    if cohort is not None:
        Cohort.objects.select_for_update().get(pk=cohort.pk)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != Status.PENDING:
        raise EnrollmentError(_("Only applications awaiting approval can be approved."))
    status = _seat_status(enrollment.cohort)
    _set_status(enrollment, status, actor=actor, message=message)
    _notify(enrollment, "approved" if status == Status.ACTIVE else "waitlisted")
    return enrollment


@transaction.atomic
def enrollment_reject(*, enrollment: Enrollment, actor, message: str = "") -> Enrollment:
    """Turn down an application (pending or waitlisted), with an optional message."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Status.PENDING, Status.WAITLISTED):
        raise EnrollmentError(_("Only applications awaiting a decision can be rejected."))
    _set_status(enrollment, Status.REJECTED, actor=actor, message=message)
    _notify(enrollment, "rejected")
    return enrollment


def enrollments_decide(*, enrollments, actor, approve: bool, message: str = "") -> dict:
    """Approve or reject several applications; each one on its own, errors collected."""
    done, errors = [], []
    for enrollment in enrollments:
        try:
            if approve:
                enrollment_approve(enrollment=enrollment, actor=actor, message=message)
            else:
                enrollment_reject(enrollment=enrollment, actor=actor, message=message)
            done.append(enrollment)
        except EnrollmentError as exc:
            errors.append((enrollment, exc.messages[0]))
    return {"done": done, "errors": errors}


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, actor) -> Enrollment:
    """Withdraw; if that frees a seat, the first person on the waiting list takes it."""
    cohort = enrollment.cohort
    if cohort is not None:
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status not in (Status.PENDING, Status.WAITLISTED, Status.ACTIVE):
        raise EnrollmentError(_("This enrollment cannot be withdrawn."))
    held_seat = enrollment.status in Enrollment.SEATED
    _set_status(enrollment, Status.WITHDRAWN, actor=actor)
    if held_seat and cohort is not None:
        waitlist_promote(cohort=cohort)
    return enrollment


def waitlist_promote(*, cohort: Cohort) -> list[Enrollment]:
    """Fill free seats from the waiting list in the order people joined it.

    Call inside a transaction that holds the cohort's row lock.
    """
    promoted = []
    if cohort.capacity is None:
        free = None
    else:
        free = cohort.capacity - cohort.enrollments.filter(status__in=Enrollment.SEATED).count()
    queue = cohort.enrollments.filter(status=Status.WAITLISTED).order_by("waitlisted_at", "pk")
    for enrollment in queue.select_for_update():
        if free is not None and free <= 0:
            break
        _set_status(enrollment, Status.ACTIVE, actor=None, message="")
        log(
            instance=enrollment,
            action=LOG_PROMOTE,
            user=None,
            data={"from_status": Status.WAITLISTED, "to_status": Status.ACTIVE},
        )
        _notify(enrollment, "promoted")
        promoted.append(enrollment)
        if free is not None:
            free -= 1
    return promoted


VISIT_RESOLUTION = datetime.timedelta(minutes=5)


def lesson_visit(*, enrollment: Enrollment, lesson) -> None:
    """Remember where the trainee is, for 「続きから」 and activity reports.

    Writes only when the lesson changed or the last activity is older than five minutes,
    so reloading a page does not write to the database each time.
    """
    now = timezone.now()
    if (
        enrollment.last_lesson_id == lesson.pk
        and enrollment.last_activity_at
        and now - enrollment.last_activity_at < VISIT_RESOLUTION
    ):
        return
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
    enrollment.last_lesson_id = lesson.pk
    enrollment.last_activity_at = now


@transaction.atomic
def lesson_complete(*, enrollment: Enrollment, lesson) -> LessonProgress:
    """Mark a lesson complete (idempotent).

    Whether the course is now complete is not decided here: lessons are one requirement
    among several (quizzes, fieldwork hours). ``completion_inputs_changed`` tells the
    certificates app, whose eligibility function decides.
    """
    if not enrollment.is_active:
        raise EnrollmentError(_("Only enrolled trainees can record progress."))
    progress, _created = LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_lesson=lesson, last_activity_at=timezone.now()
    )
    completion_inputs_changed_send(enrollment_id=enrollment.pk)
    return progress


def enrollment_complete(*, enrollment: Enrollment, actor=None) -> Enrollment:
    """Mark an active enrollment completed (the certificates app calls this when its
    eligibility function says every requirement is met). Idempotent."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status == Status.ACTIVE:
            _set_status(enrollment, Status.COMPLETED, actor=actor)
            log(
                instance=enrollment,
                action=LOG_COMPLETE,
                user=actor,
                data={"from_status": Status.ACTIVE, "to_status": Status.COMPLETED},
            )
    return enrollment

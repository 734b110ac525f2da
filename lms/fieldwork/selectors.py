"""Reads for fieldwork: who sees which entries, totals, progress toward the requirement.

Each function costs a fixed number of queries whatever the number of entries (tests assert
the counts at 10 and 500 entries). Approved hours are what count: an entry counts when an
instructor approved it and, if the course's requirement names categories, its category is
one of them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from lms.courses.models import Enrollment
from lms.courses.selectors import enrollments_visible_to

from .models import (
    ActivityCategory,
    FieldworkAttachment,
    FieldworkEntry,
    FieldworkRequirement,
)

Status = FieldworkEntry.Status
ZERO = Decimal("0")


# --- Who sees what -------------------------------------------------------------------------
def _taught(user) -> Q:
    """The entries of the enrollments ``user`` may see: a course naming them, else only
    those of their cohorts (``enrollments_visible_to``, the enrollment admin's rule)."""
    return Q(enrollment__in=enrollments_visible_to(user).values("pk"))


def entries_visible_to(user):
    """Entries ``user`` may read: their own, and the sent (not draft) entries of the courses
    they teach (of every course for a superuser). A draft is the trainee's own business."""
    entries = FieldworkEntry.objects.all()
    if not (user.is_authenticated and user.is_active):
        return entries.none()
    sent = ~Q(status=Status.DRAFT)
    if user.is_superuser:
        return entries.filter(Q(enrollment__user=user) | sent)
    return entries.filter(Q(enrollment__user=user) | (sent & _taught(user)))


def entries_reviewable_by(user):
    """Sent entries of the courses ``user`` teaches (of every course for a superuser)."""
    entries = FieldworkEntry.objects.exclude(status=Status.DRAFT)
    if not (user.is_authenticated and user.is_active):
        return entries.none()
    if user.is_superuser:
        return entries
    return entries.filter(_taught(user))


def attachments_visible_to(user):
    return FieldworkAttachment.objects.filter(entry__in=entries_visible_to(user).values("pk"))


# --- Requirement and progress --------------------------------------------------------------
def requirement_for(course) -> FieldworkRequirement | None:
    """The course's requirement with its categories (two queries; one when there is none)."""
    return FieldworkRequirement.objects.filter(course=course).prefetch_related("categories").first()


def _counts(entry, category_ids) -> bool:
    return entry.status == Status.APPROVED and (
        not category_ids or entry.category_id in category_ids
    )


@dataclass(frozen=True)
class FieldworkStatus:
    """Approved hours against the requirement (for the certificate and progress bars)."""

    approved_hours: Decimal
    required_hours: Decimal | None
    missing_hours: Decimal

    @property
    def percent(self) -> int:
        if not self.required_hours:
            return 0
        return min(100, round(100 * self.approved_hours / self.required_hours))

    @property
    def met(self) -> bool:
        return self.required_hours is not None and self.missing_hours == 0


def _status(approved, requirement) -> FieldworkStatus:
    required = requirement.required_hours if requirement is not None else None
    missing = max(ZERO, (required or ZERO) - approved)
    return FieldworkStatus(approved_hours=approved, required_hours=required, missing_hours=missing)


def approved_hours(enrollment, requirement=None) -> Decimal:
    """Approved hours of the enrollment in the categories that count (one query)."""
    entries = FieldworkEntry.objects.filter(enrollment=enrollment, status=Status.APPROVED)
    if requirement is None:
        requirement = requirement_for(enrollment.course_id)
    if requirement is not None:
        category_ids = [c.pk for c in requirement.categories.all()]
        if category_ids:
            entries = entries.filter(category_id__in=category_ids)
    return entries.aggregate(total=Sum("hours"))["total"] or ZERO


def fieldwork_status(enrollment) -> FieldworkStatus:
    """(approved_hours, required_hours, missing_hours) of an enrollment: three queries at most."""
    requirement = requirement_for(enrollment.course_id)
    return _status(approved_hours(enrollment, requirement), requirement)


# --- The trainee's page for one course ----------------------------------------------------
@dataclass
class CategoryTotal:
    label: str
    hours: Decimal
    counts: bool


@dataclass
class TraineeSummary:
    enrollment: Enrollment
    requirement: FieldworkRequirement | None
    entries: list
    status: FieldworkStatus
    by_category: list = field(default_factory=list)
    by_prefecture: dict = field(default_factory=dict)
    pending_hours: Decimal = ZERO


def trainee_summary(enrollment) -> TraineeSummary:
    """The trainee's entries for a course, totals by category and prefecture, progress.

    Three queries (the requirement, its categories when there is one, the entries with
    their category and number of attachments), whatever the number of entries.
    """
    requirement = requirement_for(enrollment.course_id)
    category_ids = {c.pk for c in requirement.categories.all()} if requirement else set()
    entries = list(
        FieldworkEntry.objects.filter(enrollment=enrollment)
        .select_related("category")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-date", "-pk")
    )
    approved = ZERO
    pending = ZERO
    by_category = defaultdict(lambda: ZERO)
    labels = {}
    by_prefecture = defaultdict(lambda: ZERO)
    for entry in entries:
        if entry.status == Status.APPROVED:
            if entry.category_id:
                by_category[entry.category_id] += entry.hours
                labels[entry.category_id] = entry.category.label
            if entry.prefecture:
                by_prefecture[entry.prefecture] += entry.hours
            if _counts(entry, category_ids):
                approved += entry.hours
        elif entry.status == Status.SUBMITTED and entry.hours:
            pending += entry.hours
    totals = [
        CategoryTotal(labels[pk], hours, not category_ids or pk in category_ids)
        for pk, hours in sorted(by_category.items(), key=lambda item: labels[item[0]])
    ]
    return TraineeSummary(
        enrollment=enrollment,
        requirement=requirement,
        entries=entries,
        status=_status(approved, requirement),
        by_category=totals,
        by_prefecture=dict(by_prefecture),
        pending_hours=pending,
    )


def my_fieldwork_courses(user) -> list[Enrollment]:
    """The trainee's active enrollments, with each course's requirement (one query)."""
    return list(
        Enrollment.objects.filter(user=user, status__in=Enrollment.SEATED)
        .select_related("course", "course__fieldwork_requirement", "cohort")
        .annotate(entry_count=Count("fieldwork_entries"))
        .order_by("course__path")
    )


# --- Progress panels on the course page, the dashboard and lessons -------------------------
@dataclass
class ProgressPanel:
    requirement: FieldworkRequirement
    categories: list
    status: FieldworkStatus | None  # None: the viewer is not an active trainee of the course


_CACHE_ATTR = "_fieldwork_panels"


def progress_panel(request, course_id, enrollment=None) -> ProgressPanel | None:
    """What the requirement/progress panel shows for ``course_id`` on this request.

    The first call of a request loads, in one query, the requirements of this course and of
    every course the user has an enrollment in; when none exists that is all it costs. Otherwise
    one query for their categories and one for the approved hours of the user's
    enrollments. Later calls in the same request (a dashboard row per course) cost nothing.
    """
    cache = getattr(request, _CACHE_ATTR, None) if request is not None else None
    covered = cache is not None and (
        course_id in cache["courses"]
        or (enrollment is not None and enrollment.user_id == cache["user_id"])
    )
    if not covered:
        cache = _load_panels(request, course_id)
    requirement = cache["requirements"].get(course_id)
    if requirement is None:
        return None
    categories = list(requirement.categories.all())
    status = None
    if enrollment is not None and enrollment.is_active:
        status = _status(cache["hours"].get(enrollment.pk, ZERO), requirement)
    return ProgressPanel(requirement=requirement, categories=categories, status=status)


def _load_panels(request, course_id) -> dict:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    condition = Q(course_id=course_id)
    if authenticated:
        condition |= Q(course_id__in=Enrollment.objects.filter(user=user).values("course_id"))
    requirements = {
        r.course_id: r
        for r in FieldworkRequirement.objects.filter(condition).prefetch_related("categories")
    }
    hours = {}
    if requirements and authenticated:
        rows = (
            FieldworkEntry.objects.filter(
                enrollment__user=user,
                enrollment__course_id__in=list(requirements),
                status=Status.APPROVED,
            )
            .values("enrollment_id", "enrollment__course_id", "category_id")
            .annotate(total=Sum("hours"))
        )
        for row in rows:
            requirement = requirements[row["enrollment__course_id"]]
            allowed = {c.pk for c in requirement.categories.all()}
            if allowed and row["category_id"] not in allowed:
                continue
            hours[row["enrollment_id"]] = hours.get(row["enrollment_id"], ZERO) + row["total"]
    cache = {
        "courses": set(requirements) | {course_id},
        # Every course the user is enrolled in was looked at: a miss there means "none".
        "user_id": user.pk if authenticated else None,
        "requirements": requirements,
        "hours": hours,
    }
    if request is not None:
        setattr(request, _CACHE_ATTR, cache)
    return cache


# --- Instructors: a course's totals -------------------------------------------------------
@dataclass
class TraineeTotal:
    enrollment: Enrollment
    approved: Decimal
    pending: Decimal
    entries: int
    status: FieldworkStatus
    by_category: list  # approved hours per column of ``course_totals()["categories"]``


def course_totals(course, *, cohort=None) -> dict:
    """Approved hours per trainee (in all, and by category) and per prefecture.

    Five queries whatever the size: the requirement and its categories, the enrollments,
    the entries' sums grouped by enrollment, category, prefecture and status, and the
    category names.
    """
    requirement = requirement_for(course)
    category_ids = {c.pk for c in requirement.categories.all()} if requirement else set()
    enrollments = Enrollment.objects.filter(course=course, status__in=Enrollment.SEATED)
    if cohort is not None:
        enrollments = enrollments.filter(cohort=cohort)
    sums = (
        FieldworkEntry.objects.filter(enrollment__in=enrollments.values("pk"))
        .exclude(status=Status.DRAFT)
        .values("enrollment_id", "category_id", "prefecture", "status")
        .annotate(total=Sum("hours"), count=Count("pk"))
    )
    enrollments = list(
        enrollments.select_related("user", "cohort").order_by("user__last_name_kana", "pk")
    )
    approved = defaultdict(lambda: ZERO)
    pending = defaultdict(lambda: ZERO)
    counts = defaultdict(int)
    by_prefecture = defaultdict(lambda: ZERO)
    by_category = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in sums:
        counts[row["enrollment_id"]] += row["count"]
        if row["status"] == Status.SUBMITTED:
            pending[row["enrollment_id"]] += row["total"] or ZERO
        if row["status"] != Status.APPROVED:
            continue
        if row["prefecture"]:
            by_prefecture[row["prefecture"]] += row["total"]
        if row["category_id"]:
            by_category[row["enrollment_id"]][row["category_id"]] += row["total"]
        if not category_ids or row["category_id"] in category_ids:
            approved[row["enrollment_id"]] += row["total"]
    used = {pk for totals in by_category.values() for pk in totals} | category_ids
    columns = [
        {"category": category, "counts": not category_ids or category.pk in category_ids}
        for category in ActivityCategory.objects.filter(pk__in=used)
    ]
    rows = [
        TraineeTotal(
            enrollment=e,
            approved=approved[e.pk],
            pending=pending[e.pk],
            entries=counts[e.pk],
            status=_status(approved[e.pk], requirement),
            by_category=[by_category[e.pk][c["category"].pk] for c in columns],
        )
        for e in enrollments
    ]
    return {
        "requirement": requirement,
        "categories": columns,
        "rows": rows,
        "by_prefecture": dict(by_prefecture),
    }

"""Reads for the cohort dashboard: who may see which cohort, and the figures of one.

``cohort_dashboard(cohort=..., today=...)`` (or ``course_dashboard`` for a whole course)
answers in a fixed number of queries whatever the number of trainees: the enrollments,
the completion rule's own bulk answer (``lms.certificates.eligibility.eligibilities``), one
grouped query each for lesson completions, quiz submissions and fieldwork entries (per
trainee and day), and one for valid certificates.

Definitions (shown to instructors on the page, decision 0016):

- **enrolled**: trainees holding a seat (active or completed); withdrawals are counted apart;
- the funnel is cumulative: a trainee counts in a stage when they have reached it and every
  stage before it; a trainee holding a valid certificate counts in every stage;
- **started**: any recorded activity (a lesson opened or completed, a quiz submitted, a
  fieldwork entry submitted);
- **half / all the lessons**, **quizzes passed**, **fieldwork done**: the required live
  lessons, required quizzes and approved hours of the completion rule (a course that asks
  for no quiz or no hours passes that stage);
- **at risk** (active trainees only): no activity for ``INACTIVE_DAYS`` days or more, or the
  cohort's end date within ``DEADLINE_DAYS`` days with requirements missing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from lms.assessments.models import Attempt
from lms.certificates.eligibility import Eligibility, eligibilities
from lms.certificates.models import Certificate
from lms.courses.models import Cohort, CourseInstructor, CoursePage, Enrollment, LessonProgress
from lms.courses.selectors import courses_taught_by
from lms.fieldwork.models import FieldworkEntry

INACTIVE_DAYS = 14
DEADLINE_DAYS = 7
#: Weeks shown for a whole course (no cohort dates), and at most for a long cohort.
COURSE_WEEKS = 12
MAX_WEEKS = 52

#: The funnel's stages in order (labels are the view's, translated).
STAGES = ("enrolled", "started", "half_lessons", "all_lessons", "quizzes", "fieldwork", "certified")

Status = Enrollment.Status


# --- Who may see what ----------------------------------------------------------------------
def _named_on_course(user):
    """The ids of the courses naming ``user`` as an instructor (a subquery)."""
    return CourseInstructor.objects.filter(user_id=user.pk).values("page_id")


def cohorts_visible_to(user):
    """Cohorts whose dashboard ``user`` may open: every cohort of a course naming them,
    else only the cohorts naming them (the rule of the enrollment admin and the gradebook:
    an instructor of one cohort sees nothing of the course's other cohorts); all for
    superusers. Lazy; a ``pk__in`` subquery, so counts annotated on it are not multiplied."""
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(
        pk__in=Cohort.objects.filter(
            Q(course_id__in=_named_on_course(user)) | Q(instructors=user)
        ).values("pk")
    )


def courses_visible_to(user):
    """Courses whose whole-course dashboard ``user`` may open: those naming them as an
    instructor (all their cohorts' trainees); every course for superusers. Lazy."""
    if user.is_superuser:
        return courses_taught_by(user)
    return courses_taught_by(user).filter(pk__in=_named_on_course(user))


@dataclass(frozen=True)
class IndexCourse:
    course: CoursePage
    enrolled: int | None  # None: the user may see only some cohorts, not the whole course
    cohorts: list  # Cohort objects annotated with ``enrolled``


def dashboard_index(user) -> list[IndexCourse]:
    """The courses and cohorts ``user`` may see, with their enrolled counts (two queries)."""
    seated = Q(enrollments__status__in=Enrollment.SEATED)
    named = (
        Value(True)
        if user.is_superuser
        else Exists(CourseInstructor.objects.filter(user_id=user.pk, page_id=OuterRef("pk")))
    )
    courses = list(
        courses_taught_by(user)
        .annotate(enrolled=Count("enrollments", filter=seated), whole=named)
        .order_by("path")
    )
    cohorts = defaultdict(list)
    for cohort in (
        cohorts_visible_to(user)
        .annotate(enrolled=Count("enrollments", filter=seated))
        .order_by("starts_on", "pk")
    ):
        cohorts[cohort.course_id].append(cohort)
    return [
        IndexCourse(course, course.enrolled if course.whole else None, cohorts[course.pk])
        for course in courses
    ]


# --- The dashboard -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    key: str
    count: int
    percent: int  # of the enrolled, rounded


@dataclass(frozen=True)
class Week:
    start: datetime.date  # the Monday
    lessons: int
    quizzes: int
    fieldwork: int

    @property
    def iso(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class AtRisk:
    enrollment: Enrollment
    last_activity: datetime.date | None
    #: Days without activity (counted from the last activity, else from the later of the
    #: enrollment and the cohort's start), when it is ``INACTIVE_DAYS`` or more.
    inactive_days: int | None
    #: The deadline and the days left, when it is near and something is missing.
    deadline: datetime.date | None
    days_left: int | None
    eligibility: Eligibility | None


@dataclass
class Dashboard:
    course: CoursePage
    cohort: Cohort | None
    today: datetime.date
    enrolled: int
    withdrawn: int
    funnel: list[Stage]
    weeks: list[Week]
    at_risk: list[AtRisk] = field(default_factory=list)


def cohort_dashboard(*, cohort: Cohort, today: datetime.date | None = None) -> Dashboard:
    """The dashboard of one cohort; its weeks run from its start to its end (or today)."""
    today = today or timezone.localdate()
    end = min(cohort.ends_on, today)
    first = cohort.starts_on
    if end >= first:
        first = max(first, _monday(end) - datetime.timedelta(weeks=MAX_WEEKS - 1))
    return _dashboard(
        course=cohort.course,
        cohort=cohort,
        enrollments=Enrollment.objects.filter(cohort=cohort),
        first=first,
        last=end,
        today=today,
    )


def course_dashboard(*, course: CoursePage, today: datetime.date | None = None) -> Dashboard:
    """The dashboard of every trainee of a course, cohort or not; the last 12 weeks."""
    today = today or timezone.localdate()
    return _dashboard(
        course=course,
        cohort=None,
        enrollments=Enrollment.objects.filter(course=course),
        first=_monday(today) - datetime.timedelta(weeks=COURSE_WEEKS - 1),
        last=today,
        today=today,
    )


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _per_day(queryset, moment: str):
    """(enrollment id, local day, count) rows: one grouped query."""
    return (
        queryset.filter(**{f"{moment}__isnull": False})
        .annotate(day=TruncDate(moment))
        .values_list("enrollment_id", "day")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _dashboard(*, course, cohort, enrollments, first, last, today) -> Dashboard:
    rows = list(
        enrollments.filter(status__in=[*Enrollment.SEATED, Status.WITHDRAWN])
        .select_related("user", "course", "cohort")
        .order_by("user__last_name_kana", "user__first_name_kana", "pk")
    )
    seated = [e for e in rows if e.status in Enrollment.SEATED]
    withdrawn = len(rows) - len(seated)
    ids = [e.pk for e in seated]
    results = eligibilities(seated)

    # Activity per trainee and day, then bucketed: weekly figures and last activity.
    lessons, quizzes, fieldwork = defaultdict(int), defaultdict(int), defaultdict(int)
    last_day = {}
    active = set()
    sources = (
        (lessons, LessonProgress.objects.filter(enrollment_id__in=ids), "completed_at"),
        (
            quizzes,
            Attempt.objects.filter(enrollment_id__in=ids).exclude(
                status=Attempt.Status.IN_PROGRESS
            ),
            "submitted_at",
        ),
        (
            fieldwork,
            FieldworkEntry.objects.filter(enrollment_id__in=ids).exclude(
                status=FieldworkEntry.Status.DRAFT
            ),
            "submitted_at",
        ),
    )
    for bucket, queryset, moment in sources:
        if not ids:
            break
        for enrollment_id, day, count in _per_day(queryset, moment):
            if isinstance(day, datetime.datetime):  # some backends return a datetime
                day = day.date()
            active.add(enrollment_id)
            if day > last_day.get(enrollment_id, datetime.date.min):
                last_day[enrollment_id] = day
            if first <= day <= last:
                bucket[_monday(day)] += count
    certified = (
        set(
            Certificate.objects.filter(
                enrollment_id__in=ids, status=Certificate.Status.ISSUED
            ).values_list("enrollment_id", flat=True)
        )
        if ids
        else set()
    )

    counts = dict.fromkeys(STAGES, 0)
    at_risk = []
    for enrollment in seated:
        result = results[enrollment.pk]
        seen = enrollment.last_activity_at
        seen_day = timezone.localdate(seen) if seen else None
        recorded = last_day.get(enrollment.pk)
        if recorded and (seen_day is None or recorded > seen_day):
            seen_day = recorded
        reached = _stages_reached(
            result,
            started=seen is not None or enrollment.pk in active,
            certified=enrollment.pk in certified,
        )
        for key in reached:
            counts[key] += 1
        if enrollment.status == Status.ACTIVE:
            risk = _risk(enrollment, result, seen_day, today)
            if risk is not None:
                at_risk.append(risk)

    enrolled = len(seated)
    weeks = []
    if last >= first:
        monday = _monday(first)
        while monday <= last:
            weeks.append(Week(monday, lessons[monday], quizzes[monday], fieldwork[monday]))
            monday += datetime.timedelta(weeks=1)
    at_risk.sort(key=lambda r: (r.days_left is None, r.days_left or 0, -(r.inactive_days or 0)))
    return Dashboard(
        course=course,
        cohort=cohort,
        today=today,
        enrolled=enrolled,
        withdrawn=withdrawn,
        funnel=[Stage(key, counts[key], _percent(counts[key], enrolled)) for key in STAGES],
        weeks=weeks,
        at_risk=at_risk,
    )


def _stages_reached(result: Eligibility, *, started: bool, certified: bool) -> list[str]:
    if certified:
        return list(STAGES)
    lessons_total = result.lessons_total
    checks = (
        ("enrolled", True),
        ("started", started),
        ("half_lessons", 2 * result.lessons_completed >= lessons_total),
        ("all_lessons", result.lessons_completed >= lessons_total),
        ("quizzes", result.quizzes_passed >= result.quizzes_total),
        ("fieldwork", result.missing_hours <= 0),
    )
    reached = []
    for key, done in checks:
        if not done:
            break
        reached.append(key)
    return reached


def _risk(enrollment, result, seen_day, today) -> AtRisk | None:
    cohort = enrollment.cohort
    since = seen_day
    if since is None:
        since = timezone.localdate(enrollment.status_changed_at or enrollment.created_at)
        if cohort is not None:
            since = max(since, cohort.starts_on)
    inactive = (today - since).days
    inactive_days = inactive if inactive >= INACTIVE_DAYS else None
    deadline = days_left = None
    if cohort is not None and result.missing:
        left = (cohort.ends_on - today).days
        if 0 <= left <= DEADLINE_DAYS:
            deadline, days_left = cohort.ends_on, left
    if inactive_days is None and deadline is None:
        return None
    return AtRisk(
        enrollment=enrollment,
        last_activity=seen_day,
        inactive_days=inactive_days,
        deadline=deadline,
        days_left=days_left,
        eligibility=result,
    )

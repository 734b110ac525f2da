"""Whether a trainee has completed a course: the one rule, used everywhere.

A course is complete for an enrollment when

1. every live required lesson is complete (``lms.courses``),
2. every required quiz of the course is passed (``lms.assessments``), and
3. the approved fieldwork hours in the categories that count reach the course's
   requirement, if it has one (``lms.fieldwork``).

``eligibility`` answers for one enrollment, ``eligibilities`` for many in a constant
number of queries (bulk issuing, reports). Both say exactly what is missing, in words a
trainee can act on (「フィールドワークの承認済み時間があと3時間必要です」).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.assessments.models import Attempt, Quiz
from lms.courses.models import Enrollment
from lms.courses.selectors import enrollments_progress
from lms.fieldwork.models import FieldworkEntry, FieldworkRequirement

ZERO = Decimal("0")


@dataclass(frozen=True)
class Missing:
    """One requirement not yet met: ``kind`` is "lessons", "quiz" or "fieldwork"."""

    kind: str
    message: str


@dataclass(frozen=True)
class Eligibility:
    enrollment_id: int
    lessons_completed: int
    lessons_total: int
    quizzes_passed: int
    quizzes_total: int
    approved_hours: Decimal
    required_hours: Decimal | None
    missing: list[Missing] = field(default_factory=list)

    @property
    def has_requirements(self) -> bool:
        """A course that asks nothing yet (no required lesson, quiz or hours) is never
        complete: there is nothing to certify."""
        return bool(self.lessons_total or self.quizzes_total or self.required_hours)

    @property
    def complete(self) -> bool:
        return self.has_requirements and not self.missing

    @property
    def missing_hours(self) -> Decimal:
        return max(ZERO, (self.required_hours or ZERO) - self.approved_hours)


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def eligibility(enrollment: Enrollment) -> Eligibility:
    """What ``enrollment`` has done and what is missing (a handful of queries)."""
    return eligibilities([enrollment])[enrollment.pk]


def eligibilities(enrollments) -> dict[int, Eligibility]:
    """``eligibility`` for many enrollments, of any courses, in six queries whatever their
    number. ``enrollments`` should have ``select_related("course")``."""
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    course_ids = {e.course_id for e in enrollments}
    user_ids = {e.user_id for e in enrollments}
    lessons = enrollments_progress(enrollments)

    quizzes_by_course = defaultdict(list)
    for quiz in Quiz.objects.filter(
        Q(lesson__isnull=True) | Q(lesson__live=True),
        course_id__in=course_ids,
        required_for_completion=True,
    ).order_by("pk"):
        quizzes_by_course[quiz.course_id].append(quiz)
    quiz_ids = [q.pk for quizzes in quizzes_by_course.values() for q in quizzes]
    passed = set(
        Attempt.objects.filter(quiz_id__in=quiz_ids, user_id__in=user_ids, passed=True)
        .values_list("user_id", "quiz_id")
        .distinct()
    )

    requirements = {
        r.course_id: r
        for r in FieldworkRequirement.objects.filter(course_id__in=course_ids).prefetch_related(
            "categories"
        )
    }
    hours = defaultdict(lambda: ZERO)
    counting = Q()
    for requirement in requirements.values():
        categories = [c.pk for c in requirement.categories.all()]
        rule = Q(enrollment__course_id=requirement.course_id)
        if categories:
            rule &= Q(category_id__in=categories)
        counting |= rule
    if requirements:
        for row in (
            FieldworkEntry.objects.filter(
                counting,
                enrollment_id__in=[e.pk for e in enrollments],
                status=FieldworkEntry.Status.APPROVED,
            )
            .values("enrollment_id")
            .annotate(total=Sum("hours"))
        ):
            hours[row["enrollment_id"]] = row["total"] or ZERO

    result = {}
    for enrollment in enrollments:
        missing = []
        progress = lessons[enrollment.pk]
        left = progress.total - progress.completed
        if left > 0:
            missing.append(
                Missing(
                    "lessons",
                    ngettext(
                        "%(count)d required lesson is not complete yet.",
                        "%(count)d required lessons are not complete yet.",
                        left,
                    )
                    % {"count": left},
                )
            )
        quizzes = quizzes_by_course[enrollment.course_id]
        passed_count = 0
        for quiz in quizzes:
            if (enrollment.user_id, quiz.pk) in passed:
                passed_count += 1
            else:
                missing.append(
                    Missing("quiz", _("Pass the quiz “%(title)s”.") % {"title": quiz.title})
                )
        requirement = requirements.get(enrollment.course_id)
        required_hours = requirement.required_hours if requirement else None
        approved = hours[enrollment.pk]
        if required_hours and approved < required_hours:
            missing.append(
                Missing(
                    "fieldwork",
                    _("You need %(hours)s more hours of approved fieldwork.")
                    % {"hours": _hours(required_hours - approved)},
                )
            )
        result[enrollment.pk] = Eligibility(
            enrollment_id=enrollment.pk,
            lessons_completed=progress.completed,
            lessons_total=progress.total,
            quizzes_passed=passed_count,
            quizzes_total=len(quizzes),
            approved_hours=approved,
            required_hours=required_hours,
            missing=missing,
        )
    return result

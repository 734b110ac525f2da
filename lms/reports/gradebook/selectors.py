"""The gradebook: one row per trainee of a course (or of one cohort), in four queries.

Public API (also for other reports, e.g. the cohort dashboard):

- ``gradebook(*, course, cohort=None, search="") -> Gradebook``: the quizzes (columns),
  the course's requirements and the rows, in **four queries whatever the number of
  trainees and quizzes** (the course's totals, its quizzes, the enrollments with every
  per-trainee figure annotated, the best attempts grouped by trainee and quiz);
- ``gradebook_rows(*, course, cohort=None) -> list[GradebookRow]``: the rows only;
- ``gradebook_columns(book) -> list[GradebookColumn]``: the columns of the page and of
  the exports, in order (trainee, cohort, state, progress, lessons, one per quiz,
  fieldwork hours, certificate, last activity), each with its heading, its sort key and
  its export cells;
- ``rows_filter(rows, state=...)`` and ``rows_sort(rows, columns, key)``: in Python on
  the assembled rows, so neither costs a query.

Which trainees: the course's enrollments that hold a place, ``Enrollment.SEATED``
(active and completed). Pending and waitlisted applicants have not started, rejected
ones never will, and withdrawn trainees left; the enrollment admin lists those.

The figures follow the completion rule of ``lms.certificates.eligibility`` (one rule):
live required lessons of the course, required quizzes (of no lesson or of a live lesson)
passed by any attempt, approved fieldwork hours in the categories the requirement counts
(every category when it names none). The rule is written here as SQL aggregates rather
than by calling ``eligibilities`` (six queries plus two per 500 enrollments); a test
checks every row against ``eligibilities``. A quiz's best score is the highest final
percentage of the trainee's graded attempts: regrades and overrides rewrite the attempt's
percentage and pass (``lms.assessments.services``), so they show here at once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.assessments.models import Attempt, Quiz
from lms.certificates.eligibility import ZERO
from lms.certificates.models import Certificate
from lms.courses.models import CoursePage, Enrollment, LessonPage, LessonProgress
from lms.courses.selectors import ProgressCount, enrollments_search
from lms.fieldwork.models import FieldworkEntry, FieldworkRequirement

#: A started trainee who is not complete and did nothing for this long is "stalled".
STALLED_AFTER = datetime.timedelta(days=14)
#: The enrollments a gradebook lists (see the module's docstring).
LISTED_STATUSES = Enrollment.SEATED


class State(models.TextChoices):
    """Where a trainee stands, one per row; the page filters on it."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("Under way")
    STALLED = "stalled", _("Stalled")
    READY = "ready", _("Ready for certificate")
    CERTIFIED = "certified", _("Certified")


def _decimal_text(value: Decimal | None) -> str:
    """2.50 → "2.5", 20.00 → "20" (never "2E+1"); ``None`` → ""."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


class _Count(Func):
    """COUNT(expr) as a scalar subquery's only column, without a GROUP BY."""

    function = "COUNT"
    output_field = IntegerField()


@dataclass(frozen=True)
class QuizColumn:
    id: int
    title: str
    pass_mark: int
    required: bool


@dataclass(frozen=True)
class QuizResult:
    """A trainee's attempts at one quiz: the best final percentage of a graded attempt
    (``None``: none graded yet), whether any attempt passed, how many attempts."""

    #: The highest percentage as the database gave it (a float on SQLite, a Decimal on
    #: PostgreSQL): converted only when shown, sorted on or exported (``best``).
    raw_best: float | Decimal | None
    passed: bool
    attempts: int

    @property
    def best(self) -> Decimal | None:
        if self.raw_best is None:
            return None
        return Decimal(self.raw_best).quantize(Decimal("0.01"))

    @property
    def best_text(self) -> str:
        return _decimal_text(self.best)


NO_ATTEMPT = QuizResult(raw_best=None, passed=False, attempts=0)


@dataclass
class GradebookRow:
    """One trainee of the course: who, and every figure of the gradebook."""

    enrollment_id: int
    user_id: int
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    email: str
    cohort_id: int | None
    cohort_name: str
    enrollment_status: str
    lessons_completed: int
    lessons_total: int
    quizzes: dict[int, QuizResult]
    quizzes_passed: int
    quizzes_required: int
    approved_hours: Decimal
    required_hours: Decimal | None
    certificate_id: int | None
    certificate_status: str | None
    last_activity_at: datetime.datetime | None
    started: bool
    complete: bool
    state: str

    @property
    def name(self) -> str:
        """Family name first in Japanese, given name first in English (the User's rule)."""
        return get_user_model().get_full_name(self)

    @property
    def name_kana(self) -> str:
        return " ".join(p for p in (self.last_name_kana, self.first_name_kana) if p)

    @property
    def progress(self) -> ProgressCount:
        return ProgressCount(completed=self.lessons_completed, total=self.lessons_total)

    @property
    def progress_percent(self) -> int:
        return self.progress.percent

    def quiz(self, quiz_id: int) -> QuizResult:
        return self.quizzes.get(quiz_id, NO_ATTEMPT)

    @property
    def approved_hours_text(self) -> str:
        return _decimal_text(self.approved_hours)

    @property
    def required_hours_text(self) -> str:
        return _decimal_text(self.required_hours)

    @property
    def certificate_label(self) -> str:
        if self.certificate_status is None:
            return ""
        return str(Certificate.Status(self.certificate_status).label)

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)


@dataclass
class Gradebook:
    course: CoursePage
    cohort: Any
    quizzes: list[QuizColumn]
    lessons_total: int
    required_hours: Decimal | None
    rows: list[GradebookRow] = field(default_factory=list)

    @property
    def required_hours_text(self) -> str:
        return _decimal_text(self.required_hours)


def _required_lessons(course):
    """Live required lessons of ``course`` (two levels below it: course → module → lesson),
    as ``enrollments_progress`` and therefore ``eligibility`` count them."""
    return LessonPage.objects.live().filter(
        path__startswith=course.path, depth=course.depth + 2, required=True
    )


def _counted_categories(course):
    through = FieldworkRequirement.categories.through
    return through.objects.filter(fieldworkrequirement__course_id=course.pk).values(
        "activitycategory_id"
    )


def gradebook(
    *, course, cohort=None, cohort_ids: Iterable[int] | None = None, search: str = "", now=None
) -> Gradebook:
    """The gradebook of ``course``: four queries, see the module docstring.

    ``cohort``: only that cohort's trainees; ``cohort_ids``: only these cohorts' (an
    instructor named on cohorts but not on the course sees those, as in the enrollment
    admin); ``search``: by name, kana or e-mail, as the enrollment admin searches."""
    now = now or timezone.now()
    # 1. The course's totals: required live lessons, required fieldwork hours.
    facts = (
        CoursePage.objects.filter(pk=course.pk)
        .annotate(
            gb_lessons=Subquery(
                _required_lessons(course).order_by().annotate(n=_Count("pk")).values("n")
            ),
            gb_hours=Subquery(
                FieldworkRequirement.objects.filter(course_id=course.pk).values("required_hours")[
                    :1
                ]
            ),
        )
        .values("gb_lessons", "gb_hours")
        .first()
    ) or {"gb_lessons": 0, "gb_hours": None}
    lessons_total = facts["gb_lessons"] or 0
    required_hours = facts["gb_hours"]

    # 2. The quizzes: the columns; the required ones count for completion.
    quizzes = [
        QuizColumn(id=pk, title=title, pass_mark=pass_mark, required=required)
        for pk, title, pass_mark, required in Quiz.objects.filter(
            Q(lesson__isnull=True) | Q(lesson__live=True), course_id=course.pk
        )
        .order_by("title", "pk")
        .values_list("pk", "title", "pass_mark", "required_for_completion")
    ]
    required_quiz_ids = [q.id for q in quizzes if q.required]

    # 3. The enrollments, each with its figures.
    enrollments = Enrollment.objects.filter(course_id=course.pk, status__in=LISTED_STATUSES)
    if cohort is not None:
        enrollments = enrollments.filter(cohort_id=cohort.pk)
    if cohort_ids is not None:
        enrollments = enrollments.filter(cohort_id__in=list(cohort_ids))
    if search.strip():
        enrollments = enrollments_search(enrollments, search)
    counted = _counted_categories(course)
    approved = FieldworkEntry.objects.filter(
        Q(category_id__in=counted) | ~Exists(counted),
        enrollment_id=OuterRef("pk"),
        status=FieldworkEntry.Status.APPROVED,
    )
    entries = FieldworkEntry.objects.filter(enrollment_id=OuterRef("pk"))
    current_certificate = (
        Certificate.objects.filter(enrollment_id=OuterRef("pk"))
        .exclude(status=Certificate.Status.SUPERSEDED)
        .order_by("-created_at", "-pk")
    )
    lessons_done = LessonProgress.objects.filter(
        enrollment_id=OuterRef("pk"),
        lesson_id__in=_required_lessons(course).values("pk"),
    )
    rows = list(
        enrollments.annotate(
            gb_lessons_done=Coalesce(
                Subquery(lessons_done.order_by().annotate(n=_Count("pk")).values("n")), 0
            ),
            gb_any_lesson=Exists(LessonProgress.objects.filter(enrollment_id=OuterRef("pk"))),
            gb_hours=Coalesce(
                Subquery(
                    approved.order_by()
                    .annotate(total=Func(F("hours"), function="SUM"))
                    .values("total")
                ),
                Value(ZERO),
                output_field=models.DecimalField(max_digits=8, decimal_places=2),
            ),
            gb_entry_at=Subquery(
                entries.order_by()
                .annotate(last=Func(F("updated_at"), function="MAX"))
                .values("last")
            ),
            gb_attempt_at=Subquery(
                Attempt.objects.filter(enrollment_id=OuterRef("pk"))
                .order_by()
                .annotate(last=Func(F("started_at"), function="MAX"))
                .values("last")
            ),
            gb_certificate_id=Subquery(current_certificate.values("pk")[:1]),
            gb_certificate_status=Subquery(current_certificate.values("status")[:1]),
        )
        .order_by("user__last_name_kana", "user__first_name_kana", "pk")
        .values(
            "pk",
            "user_id",
            "user__last_name",
            "user__first_name",
            "user__last_name_kana",
            "user__first_name_kana",
            "user__email",
            "cohort_id",
            "cohort__name",
            "status",
            "last_activity_at",
            "gb_lessons_done",
            "gb_any_lesson",
            "gb_hours",
            "gb_entry_at",
            "gb_attempt_at",
            "gb_certificate_id",
            "gb_certificate_status",
        )
    )

    # 4. The attempts, grouped by trainee and quiz (as eligibility: by the trainee).
    results: dict[int, dict[int, QuizResult]] = defaultdict(dict)
    if quizzes and rows:
        for item in (
            Attempt.objects.filter(
                quiz_id__in=[q.id for q in quizzes], user_id__in=enrollments.values("user_id")
            )
            .order_by()
            # Grouped in the order of the unique index (quiz, user, number): no sort.
            .values_list("quiz_id", "user_id")
            .annotate(
                # As a float: 10,000 cells without Django's per-value Decimal converter.
                best=Max("percentage", output_field=FloatField()),
                passed=Max(Case(When(passed=True, then=1), default=0)),
                attempts=Count("pk"),
            )
        ):
            quiz_id, user_id, best, passed, attempts = item
            results[user_id][quiz_id] = QuizResult(
                raw_best=best, passed=bool(passed), attempts=attempts
            )

    book = Gradebook(
        course=course,
        cohort=cohort,
        quizzes=quizzes,
        lessons_total=lessons_total,
        required_hours=required_hours,
    )
    has_requirements = bool(lessons_total or required_quiz_ids or required_hours)
    stalled_before = now - STALLED_AFTER
    for item in rows:
        user_id = item["user_id"]
        quiz_results = results.get(user_id, {})
        passed = sum(1 for pk in required_quiz_ids if quiz_results.get(pk, NO_ATTEMPT).passed)
        hours = item["gb_hours"] or ZERO
        complete = (
            has_requirements
            and item["gb_lessons_done"] >= lessons_total
            and passed == len(required_quiz_ids)
            and (not required_hours or hours >= required_hours)
        )
        last_activity = max(
            (
                moment
                for moment in (
                    item["last_activity_at"],
                    item["gb_entry_at"],
                    item["gb_attempt_at"],
                )
                if moment is not None
            ),
            default=None,
        )
        started = bool(item["gb_any_lesson"] or quiz_results or item["gb_entry_at"])
        if item["gb_certificate_status"] == Certificate.Status.ISSUED:
            state = State.CERTIFIED
        elif complete:
            state = State.READY
        elif not started:
            state = State.NOT_STARTED
        elif last_activity is None or last_activity < stalled_before:
            state = State.STALLED
        else:
            state = State.IN_PROGRESS
        book.rows.append(
            GradebookRow(
                enrollment_id=item["pk"],
                user_id=user_id,
                last_name=item["user__last_name"],
                first_name=item["user__first_name"],
                last_name_kana=item["user__last_name_kana"],
                first_name_kana=item["user__first_name_kana"],
                email=item["user__email"],
                cohort_id=item["cohort_id"],
                cohort_name=item["cohort__name"] or "",
                enrollment_status=item["status"],
                lessons_completed=item["gb_lessons_done"],
                lessons_total=lessons_total,
                quizzes=quiz_results,
                quizzes_passed=passed,
                quizzes_required=len(required_quiz_ids),
                approved_hours=hours,
                required_hours=required_hours,
                certificate_id=item["gb_certificate_id"],
                certificate_status=item["gb_certificate_status"],
                last_activity_at=last_activity,
                started=started,
                complete=complete,
                state=state.value,
            )
        )
    return book


def gradebook_rows(*, course, cohort=None) -> list[GradebookRow]:
    """The rows of ``course``'s gradebook (four queries): see ``gradebook``."""
    return gradebook(course=course, cohort=cohort).rows


# --- Columns, filtering, sorting ---------------------------------------------------------------
@dataclass(frozen=True)
class GradebookColumn:
    """A column of the page; ``exports`` are its cells in the CSV/XLSX files (heading and
    value), ``sort`` the key rows are ordered by (``None`` sorts last either way)."""

    key: str
    label: str
    sort: Callable[[GradebookRow], Any]
    exports: tuple[tuple[str, Callable[[GradebookRow], Any]], ...]


def gradebook_columns(book: Gradebook) -> list[GradebookColumn]:
    """The gradebook's columns, in order, for the page and for both exports."""
    columns = [
        GradebookColumn(
            "name",
            str(_("Trainee")),
            sort=lambda r: (r.last_name_kana, r.first_name_kana, r.name),
            exports=(
                (str(_("Trainee")), lambda r: r.name),
                (str(_("Reading (kana)")), lambda r: r.name_kana),
                (str(_("E-mail")), lambda r: r.email),
            ),
        ),
        GradebookColumn(
            "cohort",
            str(_("Cohort")),
            sort=lambda r: r.cohort_name or None,
            exports=((str(_("Cohort")), lambda r: r.cohort_name),),
        ),
        GradebookColumn(
            "state",
            str(_("Standing")),
            sort=lambda r: list(State.values).index(r.state),
            exports=((str(_("Standing")), lambda r: r.state_label),),
        ),
        GradebookColumn(
            "progress",
            str(_("Progress")),
            sort=lambda r: r.progress_percent,
            exports=((str(_("Progress (%)")), lambda r: r.progress_percent),),
        ),
        GradebookColumn(
            "lessons",
            str(_("Lessons completed")),
            sort=lambda r: r.lessons_completed,
            exports=(
                (str(_("Lessons completed")), lambda r: r.lessons_completed),
                (str(_("Required lessons")), lambda r: r.lessons_total),
            ),
        ),
    ]
    for quiz in book.quizzes:
        columns.append(
            GradebookColumn(
                f"quiz-{quiz.id}",
                quiz.title,
                sort=lambda r, pk=quiz.id: r.quiz(pk).raw_best,
                exports=(
                    (
                        str(_("%(quiz)s: best score (%%)")) % {"quiz": quiz.title},
                        lambda r, pk=quiz.id: r.quiz(pk).best,
                    ),
                    (
                        str(_("%(quiz)s: passed")) % {"quiz": quiz.title},
                        lambda r, pk=quiz.id: _passed_text(r.quiz(pk)),
                    ),
                ),
            )
        )
    columns += [
        GradebookColumn(
            "hours",
            str(_("Approved fieldwork hours")),
            sort=lambda r: r.approved_hours,
            exports=(
                (str(_("Approved fieldwork hours")), lambda r: r.approved_hours),
                (str(_("Required fieldwork hours")), lambda r: r.required_hours),
            ),
        ),
        GradebookColumn(
            "certificate",
            str(_("Certificate")),
            sort=lambda r: r.certificate_label or None,
            exports=((str(_("Certificate")), lambda r: r.certificate_label),),
        ),
        GradebookColumn(
            "activity",
            str(_("Last activity")),
            sort=lambda r: r.last_activity_at,
            exports=((str(_("Last activity")), lambda r: r.last_activity_at),),
        ),
    ]
    return columns


def _passed_text(result: QuizResult) -> str:
    if result.passed:
        return str(_("Passed"))
    if result.attempts:
        return str(_("Not passed"))
    return ""


def rows_filter(rows: Iterable[GradebookRow], *, state: str = "") -> list[GradebookRow]:
    """The rows in ``state`` (any of ``State``); all rows for an empty or unknown state."""
    rows = list(rows)
    if state not in State.values:
        return rows
    return [row for row in rows if row.state == state]


def rows_sort(
    rows: Iterable[GradebookRow], columns: list[GradebookColumn], key: str
) -> tuple[list[GradebookRow], str]:
    """``rows`` ordered by the column named ``key`` (``-key``: descending), the trainee's
    reading breaking ties; rows without a value come last either way. Returns the rows and
    the key applied ("" for the default order, by reading)."""
    rows = list(rows)
    descending = key.startswith("-")
    name = key.lstrip("-")
    column = next((c for c in columns if c.key == name), None)
    if column is None:
        return rows, ""
    rows.sort(key=columns[0].sort)
    with_value = [r for r in rows if column.sort(r) is not None]
    without = [r for r in rows if column.sort(r) is None]
    with_value.sort(key=column.sort, reverse=descending)
    return with_value + without, key

"""What waits for an instructor, per course: the review queues of the admin home.

One function per queue, each one query whatever the number of rows (a GROUP BY), each
starting from the visibility rule of the listing it links to, so a count is exactly the
number of rows the instructor finds behind its link:

- pending enrollments: ``lms.courses.selectors.enrollments_visible_to`` (the enrollment
  listing's rows: courses named on, cohorts taught);
- fieldwork entries awaiting review: ``lms.fieldwork.selectors.entries_reviewable_by``;
- essay answers awaiting a grade: ``lms.assessments.admin_views.attempts_visible_to``
  (the grading queue's rows), counted per answer.

``review_queues`` puts them together per course (one more query for the course titles).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from lms.assessments.admin_views import attempts_visible_to, awaiting_answers_q
from lms.assessments.models import Answer, Attempt
from lms.courses.models import CoursePage, Enrollment
from lms.courses.selectors import enrollments_visible_to
from lms.fieldwork.models import FieldworkEntry
from lms.fieldwork.selectors import entries_reviewable_by


def pending_enrollments_by_course(user) -> dict[int, int]:
    """Enrollments awaiting approval that ``user`` may decide on, counted per course id."""
    rows = (
        enrollments_visible_to(user)
        .filter(status=Enrollment.Status.PENDING)
        .order_by()
        .values("course_id")
        .annotate(count=Count("pk"))
    )
    return {row["course_id"]: row["count"] for row in rows}


def fieldwork_entries_by_course(user) -> dict[int, int]:
    """Fieldwork entries submitted and awaiting ``user``'s review, counted per course id."""
    rows = (
        entries_reviewable_by(user)
        .filter(status=FieldworkEntry.Status.SUBMITTED)
        .order_by()
        .values("enrollment__course_id")
        .annotate(count=Count("pk"))
    )
    return {row["enrollment__course_id"]: row["count"] for row in rows}


def essay_answers_by_course(user) -> dict[int, dict[int, int]]:
    """Answers of submitted attempts awaiting ``user``'s grade: {course id: {quiz id: n}}."""
    attempts = attempts_visible_to(user).filter(status=Attempt.Status.SUBMITTED)
    rows = (
        Answer.objects.filter(awaiting_answers_q(), attempt__in=attempts.values("pk"))
        .order_by()
        .values("attempt__quiz__course_id", "attempt__quiz_id")
        .annotate(count=Count("pk"))
    )
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        result[row["attempt__quiz__course_id"]][row["attempt__quiz_id"]] = row["count"]
    return dict(result)


@dataclass
class CourseQueues:
    """What waits in one course."""

    course_id: int
    title: str
    pending_enrollments: int = 0
    fieldwork_entries: int = 0
    essays_by_quiz: dict[int, int] = field(default_factory=dict)

    @property
    def essay_answers(self) -> int:
        return sum(self.essays_by_quiz.values())

    @property
    def only_quiz_id(self) -> int | None:
        """The quiz, when all the course's waiting essays belong to one (the grading queue
        filters by quiz, not by course)."""
        return next(iter(self.essays_by_quiz)) if len(self.essays_by_quiz) == 1 else None


@dataclass
class ReviewQueues:
    courses: list[CourseQueues]

    @property
    def pending_enrollments(self) -> int:
        return sum(c.pending_enrollments for c in self.courses)

    @property
    def fieldwork_entries(self) -> int:
        return sum(c.fieldwork_entries for c in self.courses)

    @property
    def essay_answers(self) -> int:
        return sum(c.essay_answers for c in self.courses)

    @property
    def total(self) -> int:
        return self.pending_enrollments + self.fieldwork_entries + self.essay_answers


def review_queues(user) -> ReviewQueues:
    """The three queues of ``user``'s courses, per course in the tree's order.

    Four queries whatever the number of courses and waiting items (three when nothing
    waits); courses with nothing waiting are left out.
    """
    enrollments = pending_enrollments_by_course(user)
    entries = fieldwork_entries_by_course(user)
    essays = essay_answers_by_course(user)
    course_ids = set(enrollments) | set(entries) | set(essays)
    if not course_ids:
        return ReviewQueues(courses=[])
    courses = (
        CoursePage.objects.filter(pk__in=course_ids).order_by("path").values_list("pk", "title")
    )
    return ReviewQueues(
        courses=[
            CourseQueues(
                course_id=pk,
                title=title,
                pending_enrollments=enrollments.get(pk, 0),
                fieldwork_entries=entries.get(pk, 0),
                essays_by_quiz=essays.get(pk, {}),
            )
            for pk, title in courses
        ]
    )

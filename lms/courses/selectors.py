"""Reads for courses: the catalogue, a course's outline, access and progress.

Every function here answers with a fixed number of queries whatever the number of
lessons or enrollments (tests assert the counts at two sizes).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from .models import (
    Cohort,
    CourseFormat,
    CourseInstructor,
    CourseLevel,
    CoursePage,
    Enrollment,
    EnrollmentPolicy,
    LessonPage,
    LessonProgress,
    ModulePage,
)


# --- Catalogue -------------------------------------------------------------------------
def catalogue_courses(*, index_page, params) -> dict:
    """Live courses of the catalogue, filtered by theme, level, format and openness."""
    from cms.models import Theme

    courses = (
        CoursePage.objects.child_of(index_page)
        .live()
        .select_related("theme", "cover_image")
        .prefetch_related("cohorts")
        .order_by("path")
    )
    theme = params.get("theme", "")
    level = params.get("level", "")
    course_format = params.get("format", "")
    open_only = params.get("open") == "1"
    if theme:
        courses = courses.filter(theme__slug=theme)
    if level in CourseLevel.values:
        courses = courses.filter(level=level)
    if course_format in CourseFormat.values:
        courses = courses.filter(format=course_format)
    courses = list(courses)
    for course in courses:
        course.open_for_enrollment = course_is_open(course)
    if open_only:
        courses = [c for c in courses if c.open_for_enrollment]
    return {
        "courses": courses,
        "themes": list(Theme.objects.all()),
        "levels": CourseLevel.choices,
        "formats": CourseFormat.choices,
        "selected": {"theme": theme, "level": level, "format": course_format, "open": open_only},
    }


def course_is_open(course, now=None, cohorts=None) -> bool:
    """Whether someone could apply now: not closed, and self-paced or a cohort window open.

    Uses ``course.cohorts.all()`` (or the given list) so a prefetched list costs no query.
    """
    if course.enrollment_policy == EnrollmentPolicy.CLOSED:
        return False
    cohorts = list(course.cohorts.all()) if cohorts is None else cohorts
    if not cohorts:
        return True
    now = now or timezone.now()
    return any(c.is_enrollment_open(now) and c.ends_on >= now.date() for c in cohorts)


# --- Outline and navigation -------------------------------------------------------------
@dataclass
class Outline:
    modules: list = field(default_factory=list)  # [(module, [lesson, ...]), ...]
    lessons: list = field(default_factory=list)  # every live lesson in order

    def neighbours(self, lesson):
        ids = [item.pk for item in self.lessons]
        try:
            i = ids.index(lesson.pk)
        except ValueError:
            return None, None
        previous = self.lessons[i - 1] if i > 0 else None
        following = self.lessons[i + 1] if i + 1 < len(self.lessons) else None
        return previous, following

    @property
    def required_ids(self):
        return {item.pk for item in self.lessons if item.required}


def course_outline(course, *, with_modules=True) -> Outline:
    """Live lessons in the tree's order (one query), and their modules (one more)."""
    modules = (
        list(ModulePage.objects.child_of(course).live().order_by("path")) if with_modules else []
    )
    lessons = list(
        LessonPage.objects.descendant_of(course)
        .live()
        .order_by("path")
        .only(
            "id",
            "title",
            "path",
            "depth",
            "url_path",
            "estimated_minutes",
            "required",
            "slug",
            "locale_id",
            "live",
        )
    )
    by_parent = defaultdict(list)
    for lesson in lessons:
        by_parent[lesson.path[: -CoursePage.steplen]].append(lesson)
    outline = Outline()
    if not with_modules:
        outline.lessons = lessons
        return outline
    for module in modules:
        module_lessons = by_parent.get(module.path, [])
        outline.modules.append((module, module_lessons))
        outline.lessons.extend(module_lessons)
    return outline


def course_for_lesson(lesson) -> CoursePage | None:
    """The course a lesson belongs to: its ancestor two levels up (course → module → lesson)."""
    return CoursePage.objects.filter(path=lesson.path[: -2 * CoursePage.steplen]).first()


# --- Access ------------------------------------------------------------------------------
def user_teaches_course(user, course) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        CourseInstructor.objects.filter(page=course, user=user).exists()
        or course.cohorts.filter(instructors=user).exists()
    )


def enrollment_for(user, course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).select_related("cohort").first()


@dataclass
class LessonAccess:
    course: CoursePage | None
    enrollment: Enrollment | None
    can_view: bool
    is_instructor: bool


def lesson_access(user, lesson) -> LessonAccess:
    """Who may read a lesson: the course's active (or completed) trainees and its instructors.

    An enrolled trainee costs one query (the enrollment with its course).
    """
    course_path = lesson.path[: -2 * CoursePage.steplen]
    enrollment = None
    if user.is_authenticated:
        enrollment = (
            Enrollment.objects.filter(user=user, course__path=course_path)
            .select_related("course", "cohort")
            .first()
        )
    course = enrollment.course if enrollment is not None else course_for_lesson(lesson)
    if course is None:
        return LessonAccess(None, None, False, False)
    if enrollment is not None and enrollment.is_active:
        return LessonAccess(course, enrollment, True, False)
    teaches = user_teaches_course(user, course)
    return LessonAccess(course, enrollment, teaches, teaches)


# --- Progress ----------------------------------------------------------------------------
@dataclass
class Progress:
    completed: int
    total: int
    completed_ids: set
    next_lesson: LessonPage | None

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return round(100 * self.completed / self.total)


def enrollment_progress(enrollment, outline: Outline) -> Progress:
    """Required lessons completed out of the live required lessons; one query."""
    done = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )
    return _progress_from(done, outline, enrollment)


def _progress_from(done, outline, enrollment):
    required = outline.required_ids
    next_lesson = next((item for item in outline.lessons if item.pk not in done), None)
    if next_lesson is None and enrollment is not None and enrollment.last_lesson_id:
        next_lesson = next(
            (item for item in outline.lessons if item.pk == enrollment.last_lesson_id), None
        )
    return Progress(
        completed=len(done & required),
        total=len(required),
        completed_ids=done,
        next_lesson=next_lesson,
    )


# --- Dashboard ---------------------------------------------------------------------------
@dataclass
class DashboardRow:
    enrollment: Enrollment
    progress: Progress | None
    waitlist_position: int | None


def dashboard_rows(user) -> list[DashboardRow]:
    """The trainee's courses with progress and next lesson, in a fixed number of queries."""
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .exclude(status__in=[Enrollment.Status.WITHDRAWN])
        .select_related("course", "cohort")
        .order_by("-status_changed_at")
    )
    if not enrollments:
        return []
    courses = {e.course_id: e.course for e in enrollments}
    # All live lessons of these courses in one query, bucketed by their course's path.
    path_filter = Q()
    for course in courses.values():
        path_filter |= Q(path__startswith=course.path)
    lessons = list(
        LessonPage.objects.live()
        .filter(path_filter)
        .order_by("path")
        .only("id", "title", "path", "depth", "url_path", "required", "slug", "locale_id", "live")
    )
    outlines = {course_id: Outline() for course_id in courses}
    for lesson in lessons:
        for course_id, course in courses.items():
            if lesson.path.startswith(course.path):
                outlines[course_id].lessons.append(lesson)
    done_by_enrollment = defaultdict(set)
    for enrollment_id, lesson_id in LessonProgress.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "lesson_id"):
        done_by_enrollment[enrollment_id].add(lesson_id)
    positions = waitlist_positions(
        [e for e in enrollments if e.status == Enrollment.Status.WAITLISTED]
    )
    rows = []
    for enrollment in enrollments:
        progress = None
        if enrollment.is_active:
            progress = _progress_from(
                done_by_enrollment[enrollment.pk], outlines[enrollment.course_id], enrollment
            )
        rows.append(DashboardRow(enrollment, progress, positions.get(enrollment.pk)))
    return rows


def waitlist_positions(enrollments) -> dict[int, int]:
    """1-based place on the waiting list of each given waitlisted enrollment (one query)."""
    if not enrollments:
        return {}
    cohort_ids = {e.cohort_id for e in enrollments}
    queue = defaultdict(list)
    for pk, cohort_id in (
        Enrollment.objects.filter(cohort_id__in=cohort_ids, status=Enrollment.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", "cohort_id")
    ):
        queue[cohort_id].append(pk)
    return {
        e.pk: queue[e.cohort_id].index(e.pk) + 1 for e in enrollments if e.pk in queue[e.cohort_id]
    }


def seats_taken(cohort) -> int:
    return cohort.enrollments.filter(status__in=Enrollment.SEATED).count()


def cohorts_with_seats(course):
    """The course's cohorts annotated with the seats taken (one query)."""
    return list(
        course.cohorts.annotate(
            taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEATED))
        ).order_by("starts_on", "pk")
    )


def current_language() -> str:
    return (get_language() or "ja")[:2]


# --- Instructors' view of enrollments (the Wagtail admin) ---------------------------------
def courses_taught_by(user):
    """Courses (in the default language) whose enrollments ``user`` may manage.

    A superuser manages every course; an instructor the courses naming them
    (``CourseInstructor``) and the courses of the cohorts they teach. No query until used.
    """
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant

    default_language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    courses = CoursePage.objects.filter(locale__language_code=default_language)
    if user.is_superuser:
        return courses
    return courses.filter(
        Q(pk__in=CourseInstructor.objects.filter(user=user).values("page_id"))
        | Q(pk__in=Cohort.objects.filter(instructors=user).values("course_id"))
    )


def enrollments_visible_to(user):
    """Enrollments ``user`` may see and decide on in the admin (a lazy queryset).

    Instructors see the enrollments of the courses they are named on, and of the cohorts
    they teach; superusers see all. Written with subqueries, so no DISTINCT is needed.
    """
    enrollments = Enrollment.objects.all()
    if user.is_superuser:
        return enrollments
    if not user.is_authenticated or not user.is_active:
        return enrollments.none()
    return enrollments.filter(
        Q(course_id__in=CourseInstructor.objects.filter(user=user).values("page_id"))
        | Q(cohort_id__in=Cohort.objects.filter(instructors=user).values("pk"))
    )


@dataclass(frozen=True)
class ProgressCount:
    """Required lessons completed out of the course's live required lessons."""

    completed: int
    total: int

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return round(100 * self.completed / self.total)


def enrollments_progress(enrollments, *, chunk_size=500) -> dict[int, ProgressCount]:
    """Progress of many enrollments (of any courses) in two queries per ``chunk_size``.

    The same rule as ``enrollment_progress``: only live, required lessons of the
    enrollment's course count. ``enrollments`` must have their course loaded
    (``select_related("course")``).
    """
    enrollments = list(enrollments)
    if not enrollments:
        return {}
    course_paths = {e.course_id: e.course.path for e in enrollments}
    path_filter = Q()
    for path in set(course_paths.values()):
        path_filter |= Q(path__startswith=path)
    course_by_path = {path: course_id for course_id, path in course_paths.items()}
    required_by_course = defaultdict(set)
    # A lesson sits two levels below its course (course → module → lesson).
    for lesson_id, path in (
        LessonPage.objects.live().filter(path_filter, required=True).values_list("pk", "path")
    ):
        course_id = course_by_path.get(path[: -2 * CoursePage.steplen])
        if course_id is not None:
            required_by_course[course_id].add(lesson_id)
    required_ids = set().union(*required_by_course.values())
    done = defaultdict(set)
    if required_ids:
        for start in range(0, len(enrollments), chunk_size):
            ids = [e.pk for e in enrollments[start : start + chunk_size]]
            for enrollment_id, lesson_id in LessonProgress.objects.filter(
                enrollment_id__in=ids, lesson_id__in=required_ids
            ).values_list("enrollment_id", "lesson_id"):
                done[enrollment_id].add(lesson_id)
    result = {}
    for enrollment in enrollments:
        required = required_by_course[enrollment.course_id]
        result[enrollment.pk] = ProgressCount(
            completed=len(done[enrollment.pk] & required), total=len(required)
        )
    return result


def _kana_variants(term: str) -> set[str]:
    """The term as typed, and in hiragana and katakana: やまだ finds ヤマダ and back."""
    import unicodedata

    normal = unicodedata.normalize("NFKC", term)
    hiragana = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in normal)
    katakana = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in normal)
    return {term, normal, hiragana, katakana}


ENROLLMENT_SEARCH_FIELDS = (
    "user__last_name",
    "user__first_name",
    "user__last_name_kana",
    "user__first_name_kana",
    "user__email",
)


def enrollments_search(queryset, query: str):
    """Enrollments whose trainee matches every word of ``query`` (name, kana or e-mail).

    Words are split on any space, full-width included, so 「山田 花子」 finds 山田 花子;
    kana match across hiragana and katakana.
    """
    for term in query.split()[:10]:
        condition = Q()
        for variant in _kana_variants(term):
            for field_name in ENROLLMENT_SEARCH_FIELDS:
                condition |= Q(**{f"{field_name}__icontains": variant})
        queryset = queryset.filter(condition)
    return queryset

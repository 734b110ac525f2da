"""Demo courses: themes, the course catalogue, two courses with modules, lessons and a cohort.

Idempotent like the rest of ``lms.demo``: every page is looked up under its parent by slug
(which also fixes its locale) before anything is created, and an existing page is left as
it is, so a second run saves no revision and an editor's changes in the admin survive.
The text lives in ``course_content.py``.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from cms.models import Theme
from lms.courses.models import (
    Cohort,
    CourseIndexPage,
    CourseInstructor,
    CoursePage,
    LessonPage,
    ModulePage,
)

from . import course_content as content
from .common import publish, seed_labels

INSTRUCTOR_EMAIL = "instructor@example.com"
# Cohort dates in the content are Japan time, whatever the server's TIME_ZONE says.
JST = ZoneInfo("Asia/Tokyo")


def seed_themes(log=print) -> dict[str, Theme]:
    """The themes courses and the method library are filtered by, keyed by slug."""
    return seed_labels(Theme, content.THEMES, noun="theme", log=log)


def _course_index(home, en, log) -> CourseIndexPage:
    """The catalogue under the Japanese home page, and its English copy.

    The English copy must exist before any course can be translated: Wagtail puts a
    translated page under its parent's translation.
    """
    spec = content.COURSE_INDEX
    # A home page holds at most one catalogue (max_count_per_parent), whatever its slug.
    index = CourseIndexPage.objects.child_of(home).first()
    if index is None:
        index = CourseIndexPage(
            title=spec["ja"]["title"],
            slug=spec["slug"],
            locale=home.locale,
            intro=spec["ja"]["intro"],
            show_in_menus=True,
        )
        home.add_child(instance=index)
        publish(index)
        log("created the course catalogue")
    if index.get_translation_or_none(en) is None:
        if home.get_translation_or_none(en) is None:
            log("no English home page: the English catalogue is skipped")
            return index
        index_en = index.copy_for_translation(en)
        index_en.title = spec["en"]["title"]
        index_en.intro = spec["en"]["intro"]
        index_en.show_in_menus = True
        publish(index_en)
        log("created the English course catalogue")
    return index


def _course(index, spec, themes, instructor, log) -> CoursePage:
    text = spec["ja"]
    course = CoursePage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if course is not None:
        return course
    course = CoursePage(
        title=text["title"],
        slug=spec["slug"],
        locale=index.locale,
        summary_text=text["summary_text"],
        listing_summary=text["listing_summary"],
        learning_outcomes=text["learning_outcomes"],
        audience=text["audience"],
        certificate_requirements=text["certificate_requirements"],
        total_hours=Decimal(spec["total_hours"]),
        theme=themes.get(spec["theme"]),
        level=spec["level"],
        format=spec["format"],
        enrollment_policy=spec["enrollment_policy"],
    )
    if instructor is not None:
        # Set on the cluster before the first save so the revision carries it: a row
        # added after publishing would be dropped by the next publish from the admin.
        course.course_instructors = [CourseInstructor(user=instructor)]
    index.add_child(instance=course)
    publish(course)
    log(f"created the course {spec['slug']}")
    return course


def _modules(course, spec, log) -> None:
    """Modules and lessons, each created only if missing, so a half-seeded course is completed."""
    for module_spec in spec["modules"]:
        module = ModulePage.objects.child_of(course).filter(slug=module_spec["slug"]).first()
        if module is None:
            module = ModulePage(
                title=module_spec["title"],
                slug=module_spec["slug"],
                locale=course.locale,
                summary_text=module_spec["summary_text"],
            )
            course.add_child(instance=module)
            publish(module)
            log(f"created the module {spec['slug']}/{module_spec['slug']}")
        existing = set(LessonPage.objects.child_of(module).values_list("slug", flat=True))
        for lesson_spec in module_spec["lessons"]:
            if lesson_spec["slug"] in existing:
                continue
            lesson = LessonPage(
                title=lesson_spec["title"],
                slug=lesson_spec["slug"],
                locale=course.locale,
                estimated_minutes=lesson_spec["estimated_minutes"],
                required=lesson_spec.get("required", True),
                body=lesson_spec["body"],
            )
            module.add_child(instance=lesson)
            publish(lesson)
            log(f"created the lesson {module_spec['slug']}/{lesson_spec['slug']}")


def _cohorts(course, spec, instructor, log) -> None:
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()), JST)
    for cohort_spec in spec["cohorts"]:
        if Cohort.objects.filter(course=course, name=cohort_spec["name"]).exists():
            continue
        cohort = Cohort(
            course=course,
            name=cohort_spec["name"],
            starts_on=today + timedelta(days=cohort_spec["starts_in_days"]),
            ends_on=today
            + timedelta(days=cohort_spec["starts_in_days"] + cohort_spec["length_days"]),
            enrollment_opens_at=midnight - timedelta(days=cohort_spec["opens_days_before"]),
            enrollment_closes_at=midnight + timedelta(days=cohort_spec["closes_in_days"]),
            capacity=cohort_spec["capacity"],
        )
        cohort.full_clean()
        cohort.save()
        if instructor is not None:
            cohort.instructors.add(instructor)
        log(f"created the cohort {cohort_spec['name']} of {spec['slug']}")


def _course_translation(course, spec, en, log) -> None:
    """The English course page: the catalogue entry only (modules and lessons stay Japanese).

    ``copy_for_translation`` copies the theme, level, format and instructors; the text
    fields are then replaced with the English ones.
    """
    text = spec.get("en")
    if not text or course.get_translation_or_none(en) is not None:
        return
    if course.get_parent().get_translation_or_none(en) is None:
        log(f"no English catalogue: the English {spec['slug']} is skipped")
        return
    course_en = course.copy_for_translation(en)
    for field in (
        "title",
        "summary_text",
        "listing_summary",
        "learning_outcomes",
        "audience",
        "certificate_requirements",
    ):
        setattr(course_en, field, text[field])
    publish(course_en)
    log(f"created the English course {spec['slug']}")


@transaction.atomic
def seed_courses(*, home, log=print) -> None:
    """Seed the demo courses under ``home`` (the Japanese HomePage).

    Run after ``seed_users``: the demo instructor is named on the courses and the cohort.
    Without that account the courses are still created, without an instructor.
    """
    en, _ = Locale.objects.get_or_create(language_code="en")
    instructor = get_user_model().objects.filter(email=INSTRUCTOR_EMAIL).first()
    if instructor is None:
        log(f"no user {INSTRUCTOR_EMAIL}: the demo courses get no instructor")
    themes = seed_themes(log)
    index = _course_index(home, en, log)
    for spec in content.COURSES:
        course = _course(index, spec, themes, instructor, log)
        _modules(course, spec, log)
        _cohorts(course, spec, instructor, log)
        _course_translation(course, spec, en, log)

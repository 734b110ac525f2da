"""Build course trees quickly: a catalogue, a course, modules and lessons."""

import datetime

from django.utils import timezone

from lms.courses.models import Cohort, CourseIndexPage, CoursePage, LessonPage, ModulePage


def catalogue(home):
    index = CourseIndexPage.objects.child_of(home).first()
    if index is None:
        index = CourseIndexPage(title="講座一覧", slug="courses")
        home.add_child(instance=index)
    return index


def course_tree(home, *, slug="course", lessons=3, modules=1, policy="open", title=None, **fields):
    """A live course with ``modules`` modules sharing ``lessons`` lessons (round-robin)."""
    index = catalogue(home)
    fields.setdefault("summary_text", "地域の人と資源をつなぐ方法を学びます。")
    fields.setdefault("learning_outcomes", "<ul><li>地域の資源を見つける</li></ul>")
    course = CoursePage(
        title=title or f"講座 {slug}", slug=slug, enrollment_policy=policy, **fields
    )
    index.add_child(instance=course)
    module_pages = []
    for m in range(modules):
        module = ModulePage(title=f"単元{m + 1}", slug=f"module-{m + 1}")
        course.add_child(instance=module)
        module_pages.append(module)
    for n in range(lessons):
        lesson = LessonPage(
            title=f"レッスン{n + 1}",
            slug=f"lesson-{n + 1}",
            body=[("paragraph", f"<p>レッスン{n + 1}の本文：空き家を活用した住まい。</p>")],
        )
        module_pages[n * modules // max(lessons, 1)].add_child(instance=lesson)
    return course


def cohort(course, *, capacity=None, name="第1期", **fields):
    today = timezone.localdate()
    defaults = {
        "starts_on": today + datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=100),
    }
    defaults.update(fields)
    return Cohort.objects.create(course=course, name=name, capacity=capacity, **defaults)


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))

"""Wagtail admin integration for courses: cohorts, and protecting what trainees used."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Cohort, Enrollment, LessonPage, LessonProgress


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "group"
    menu_label = gettext_lazy("Cohorts")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "course", "starts_on", "ends_on", "capacity"]
    list_filter = ["course"]
    search_fields = ["name"]


register_snippet(CohortViewSet)


def _tracking_in(page):
    """How many enrollments and completed lessons hang on ``page`` or below it."""
    from .models import CoursePage

    courses = CoursePage.objects.descendant_of(page, inclusive=True)
    lessons = LessonPage.objects.descendant_of(page, inclusive=True)
    enrollments = Enrollment.objects.filter(course__in=courses).count()
    progress = LessonProgress.objects.filter(lesson__in=lessons).count()
    return enrollments, progress


@hooks.register("before_delete_page")
def protect_pages_with_trainee_records(request, page):
    """Refuse to delete a course or lesson that trainees have enrolled in or completed."""
    enrollments, progress = _tracking_in(page)
    if enrollments or progress:
        messages.error(
            request,
            _(
                "“%(title)s” cannot be deleted: %(enrollments)d enrollments and "
                "%(progress)d completed lessons depend on it. Unpublish it instead; "
                "trainees' records are kept."
            )
            % {"title": page.title, "enrollments": enrollments, "progress": progress},
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None

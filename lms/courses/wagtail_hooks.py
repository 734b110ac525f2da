"""Wagtail admin for courses: cohorts, enrollments, and protecting what trainees used."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import bulk, services
from .admin_permissions import CourseScopedForm, CourseScopedPolicy, CourseScopedViewSetMixin
from .admin_views import (
    ApproveEnrollmentsBulkAction,
    EnrollmentPermissionPolicy,
    EnrollmentViewSet,
    RejectEnrollmentsBulkAction,
)
from .audit import register_course_log_models, scope_site_history_user_filter
from .models import Cohort, Enrollment, LessonPage, LessonProgress

# First, before anything asks Wagtail for these policies (it would make default ones).
register_permission_policy(Enrollment, EnrollmentPermissionPolicy(Enrollment))
register_permission_policy(Cohort, CourseScopedPolicy(Cohort))


class CohortViewSet(CourseScopedViewSetMixin, SnippetViewSet):
    """Cohorts (期): instructors manage those of the courses they teach."""

    model = Cohort
    icon = "group"
    menu_label = gettext_lazy("Cohorts")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "course", "starts_on", "ends_on", "capacity"]
    list_filter = ["course"]
    search_fields = ["name"]
    edit_handler = ObjectList(Cohort.panels, base_form_class=CourseScopedForm)


register_snippet(CohortViewSet)

# Wagtail's site history report: its "User" filter lists only users the reader may see.
scope_site_history_user_filter()


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


# --- Enrollments (受講登録): listing, decisions, export, enrollment from CSV ------------------
@hooks.register("register_admin_viewset")
def register_enrollment_viewset():
    return EnrollmentViewSet()


hooks.register("register_bulk_action", ApproveEnrollmentsBulkAction)
hooks.register("register_bulk_action", RejectEnrollmentsBulkAction)


@hooks.register("register_log_actions")
def register_enrollment_log_actions(actions):
    """Decisions, enrollments by instructors, promotions from the waiting list and
    completions, as they appear in Wagtail's history views and audit reports. Their
    entries are course log entries (decision 0018): an instructor sees those of the
    courses they teach."""
    register_course_log_models(actions, Enrollment, Cohort)

    class DecisionFormatter(LogFormatter):
        def format_comment(self, log_entry):
            return log_entry.data.get("message", "")

        def format_message(self, log_entry):
            text = self.decision(log_entry)
            if message := self.format_comment(log_entry):
                text = _("%(decision)s. Message to the trainee: “%(message)s”") % {
                    "decision": text,
                    "message": message,
                }
            return text

    @actions.register_action(bulk.LOG_APPROVE)
    class ApproveFormatter(DecisionFormatter):
        label = gettext_lazy("Approve enrollment")

        def decision(self, log_entry):
            if log_entry.data.get("to_status") == Enrollment.Status.WAITLISTED:
                text = _("Enrollment approved: on the waiting list, the cohort is full")
            else:
                text = _("Enrollment approved")
            if log_entry.data.get("source") == "csv":
                text = _("%(decision)s (from a CSV file)") % {"decision": text}
            return text

    @actions.register_action(bulk.LOG_REJECT)
    class RejectFormatter(DecisionFormatter):
        label = gettext_lazy("Reject enrollment")

        def decision(self, log_entry):
            return _("Enrollment rejected")

    @actions.register_action(bulk.LOG_ENROLL)
    class EnrollFormatter(LogFormatter):
        label = gettext_lazy("Enroll by an instructor")

        def format_message(self, log_entry):
            if log_entry.data.get("to_status") == Enrollment.Status.WAITLISTED:
                return _("Enrolled by an instructor from a CSV file: on the waiting list")
            return _("Enrolled by an instructor from a CSV file")

    @actions.register_action(services.LOG_PROMOTE)
    class PromoteFormatter(LogFormatter):
        label = gettext_lazy("Promote from the waiting list")
        message = gettext_lazy("A seat became free: moved from the waiting list to enrolled")

    @actions.register_action(services.LOG_COMPLETE)
    class CompleteFormatter(LogFormatter):
        label = gettext_lazy("Complete a course")
        message = gettext_lazy("Course completed: every requirement is met")

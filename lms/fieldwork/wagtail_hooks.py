"""Wagtail admin for fieldwork: the review queue, requirements, categories, audit log actions."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.courses.audit import register_course_log_models

from . import services
from .admin_views import (
    FieldworkEntryPermissionPolicy,
    FieldworkEntryViewSet,
    FieldworkRequirementPermissionPolicy,
    FieldworkRequirementViewSet,
    InstructorPolicy,
)
from .models import ActivityCategory, FieldworkEntry, FieldworkRequirement


class ActivityCategoryPermissionPolicy(InstructorPolicy):
    """Instructors and superusers keep the list of activity categories."""

    actions = frozenset({"view", "add", "change"})

    def visible(self, user):
        return ActivityCategory.objects.all()


# First, before anything asks Wagtail for these models' policies (it would make defaults).
register_permission_policy(FieldworkEntry, FieldworkEntryPermissionPolicy(FieldworkEntry))
register_permission_policy(
    FieldworkRequirement, FieldworkRequirementPermissionPolicy(FieldworkRequirement)
)
register_permission_policy(ActivityCategory, ActivityCategoryPermissionPolicy(ActivityCategory))


class ActivityCategoryViewSet(SnippetViewSet):
    model = ActivityCategory
    icon = "tag"
    menu_label = gettext_lazy("Activity categories")
    menu_order = 208
    add_to_admin_menu = True
    list_display = ["name", "name_en", "sort_order"]
    search_fields = ["name", "name_en"]

    def get_permissions_to_register(self):
        from django.contrib.auth.models import Permission

        return Permission.objects.none()


register_snippet(ActivityCategoryViewSet)


@hooks.register("register_admin_viewset")
def register_fieldwork_viewsets():
    return [FieldworkEntryViewSet(), FieldworkRequirementViewSet()]


@hooks.register("register_log_actions")
def register_fieldwork_log_actions(actions):
    """Decisions on entries, as they appear in Wagtail's history views and audit reports.

    Entries and requirements are logged as course log entries (decision 0018): an
    instructor sees those of the courses they teach, in the site history report too.
    """
    register_course_log_models(actions, FieldworkEntry, FieldworkRequirement)

    class CommentFormatter(LogFormatter):
        def format_message(self, log_entry):
            data = log_entry.data or {}
            text = self.decision(log_entry)
            if data.get("hours"):
                text = _("%(decision)s (%(hours)s hours on %(date)s)") % {
                    "decision": text,
                    "hours": data["hours"],
                    "date": data.get("date", ""),
                }
            # The comment is part of the message: the site history report shows no comment.
            if comment := data.get("comment", ""):
                text = _("%(decision)s. Comment: “%(comment)s”") % {
                    "decision": text,
                    "comment": comment,
                }
            return text

    @actions.register_action(services.LOG_APPROVE)
    class ApproveFormatter(CommentFormatter):
        label = gettext_lazy("Approve fieldwork entry")

        def decision(self, log_entry):
            return _("Fieldwork entry approved")

    @actions.register_action(services.LOG_RETURN)
    class ReturnFormatter(CommentFormatter):
        label = gettext_lazy("Return fieldwork entry")

        def decision(self, log_entry):
            return _("Fieldwork entry returned to the trainee for changes")

    @actions.register_action(services.LOG_REJECT)
    class RejectFormatter(CommentFormatter):
        label = gettext_lazy("Reject fieldwork entry")

        def decision(self, log_entry):
            return _("Fieldwork entry rejected")

    @actions.register_action(services.LOG_SUPERVISOR)
    class SupervisorFormatter(CommentFormatter):
        label = gettext_lazy("Supervisor's answer")

        def decision(self, log_entry):
            if log_entry.data.get("to_status") == FieldworkEntry.SupervisorStatus.CONFIRMED:
                return _("Confirmed by %(name)s") % {"name": log_entry.data.get("by", "")}
            return _("Disputed by %(name)s") % {"name": log_entry.data.get("by", "")}

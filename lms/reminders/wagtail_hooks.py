"""The reminders app in the Wagtail admin: opting out and back in as they appear in a user's
history, and Reports → Reminders sent."""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from lms.accounts.roles import is_instructor

from . import admin_views, services
from .models import ReminderSent

# First, before anything asks Wagtail for the model's policy (it would make a default one).
register_permission_policy(ReminderSent, admin_views.ReminderSentPolicy(ReminderSent))


@hooks.register("register_log_actions")
def register_reminder_log_actions(actions):
    actions.register_action(
        services.LOG_OPT_OUT,
        gettext_lazy("Turn reminder e-mails off"),
        gettext_lazy("Reminder e-mails turned off"),
    )
    actions.register_action(
        services.LOG_OPT_IN,
        gettext_lazy("Turn reminder e-mails on"),
        gettext_lazy("Reminder e-mails turned on"),
    )


class InstructorsMenuItem(MenuItem):
    """Shown to instructors and superusers (the view refuses anybody else)."""

    def is_shown(self, request):
        return is_instructor(request.user)


@hooks.register("register_admin_urls")
def register_reminders_sent_urls():
    view = admin_views.ReminderSentReportView
    return [
        path("reports/reminders/", view.as_view(), name=admin_views.INDEX_URL_NAME),
        path(
            "reports/reminders/results/",
            view.as_view(results_only=True),
            name=admin_views.RESULTS_URL_NAME,
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_reminders_sent_menu_item():
    return InstructorsMenuItem(
        gettext_lazy("Reminders sent"),
        admin_views.index_url(),
        name="reminders-sent",
        icon_name="mail",
        order=300,
    )

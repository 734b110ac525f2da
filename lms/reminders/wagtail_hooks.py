"""Opting out of and back into reminder e-mails, as they appear in a user's history."""

from django.utils.translation import gettext_lazy
from wagtail import hooks

from . import services


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

"""Wagtail admin for privacy: the erasures page (superusers), the users listing's "Erase
personal data" button, and the audit log's wording for exports and erasures."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter

from . import services
from .admin_views import EraseView, ErasureIndexView


@hooks.register("register_admin_urls")
def register_privacy_admin_urls():
    return [
        path("privacy/erasures/", ErasureIndexView.as_view(), name="privacy_admin_index"),
        path(
            "privacy/erase/<int:user_id>/",
            EraseView.as_view(),
            name="privacy_admin_erase",
        ),
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_erasures_menu_item():
    return SuperuserMenuItem(
        gettext_lazy("Erasures of personal data"),
        reverse("privacy_admin_index"),
        name="privacy-erasures",
        icon_name="lock",
        order=900,
    )


@hooks.register("register_user_listing_buttons")
def erase_button(user, request_user):
    if request_user.is_superuser and user.pk != request_user.pk and not user.is_superuser:
        yield Button(
            _("Erase personal data"),
            reverse("privacy_admin_erase", args=[user.pk]),
            icon_name="lock",
            priority=90,
        )


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    @actions.register_action(services.LOG_EXPORT)
    class ExportFormatter(LogFormatter):
        label = gettext_lazy("Download own data")

        def format_message(self, log_entry):
            return _("The person downloaded their data")

    @actions.register_action(services.LOG_ERASE)
    class EraseFormatter(LogFormatter):
        label = gettext_lazy("Erase personal data")

        def format_message(self, log_entry):
            return _("Personal data erased (erasure record #%(id)s)") % {
                "id": (log_entry.data or {}).get("record", "")
            }

"""Wagtail admin for certificates: the listing and actions, the designs, audit log actions."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from lms.courses.audit import register_course_log_models

from . import services
from .admin_views import (
    CertificatePermissionPolicy,
    CertificateViewSet,
    FailedCertificatesPanel,
    template_preview,
)
from .models import Certificate, CertificateTemplate

# First, before anything asks Wagtail for the model's policy (it would make a default one).
register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))


class PreviewColumn(Column):
    """A link to the design's PDF preview, in the listing."""

    cell_template_name = "lms/certificates/admin/preview_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = reverse("certificates_template_preview", args=[instance.pk])
        return context


class CertificateTemplateEditView(EditView):
    """The edit view, with "Preview (PDF)" of the saved design in its header menu."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Preview (PDF)"),
                url=reverse("certificates_template_preview", args=[self.object.pk]),
                icon_name="view",
                priority=5,
                attrs={"target": "_blank", "rel": "noopener"},
            )
        )
        return buttons


class CertificateTemplateViewSet(SnippetViewSet):
    """修了証のデザイン: wording, signatory, seal and logo, date style; with a PDF preview.
    Edited by superusers and whoever is given the model's permissions."""

    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Certificate designs")
    menu_order = 210
    add_to_admin_menu = True
    list_display = [
        "name",
        "language",
        "is_default",
        "course",
        PreviewColumn("preview", label=gettext_lazy("Preview")),
    ]
    list_filter = ["language"]
    edit_view_class = CertificateTemplateEditView


register_snippet(CertificateTemplateViewSet)


@hooks.register("register_admin_urls")
def register_preview_url():
    return [
        path(
            "certificate-designs/<int:pk>/preview/",
            template_preview,
            name="certificates_template_preview",
        )
    ]


certificate_viewset = CertificateViewSet()


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_viewset


@hooks.register("construct_homepage_panels")
def add_failed_certificates_panel(request, panels):
    """Failed certificates, on the dashboard of the administrators who fix them."""
    if request.user.is_superuser:
        panels.append(
            FailedCertificatesPanel(index_url_name=certificate_viewset.get_url_name("index"))
        )


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    """Issue, reissue, revocation, a new certificate after a revocation, retries and
    failures, as they appear in Wagtail's history views and audit reports.

    Certificates are logged as course log entries (decision 0018): an instructor sees
    those of the trainees they may see, in the site history report too.
    """
    register_course_log_models(actions, Certificate)

    @actions.register_action(services.LOG_ISSUE)
    class IssueFormatter(LogFormatter):
        label = gettext_lazy("Issue certificate")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("after_revocation"):
                return _(
                    "Certificate %(serial)s issued after the revocation of %(old)s. "
                    "Reason: “%(reason)s”"
                ) % {
                    "serial": data.get("serial", ""),
                    "old": data["after_revocation"],
                    "reason": data.get("reason", ""),
                }
            if data.get("replaces"):
                return _("Certificate %(serial)s issued, replacing %(old)s") % {
                    "serial": data.get("serial", ""),
                    "old": data["replaces"],
                }
            if data.get("automatic"):
                return _(
                    "Certificate %(serial)s issued automatically: the trainee completed the course"
                ) % {"serial": data.get("serial", "")}
            return _("Certificate %(serial)s issued") % {"serial": data.get("serial", "")}

    @actions.register_action(services.LOG_REISSUE)
    class ReissueFormatter(LogFormatter):
        label = gettext_lazy("Reissue certificate")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("Certificate %(serial)s superseded by %(new)s. Reason: “%(reason)s”") % {
                "serial": data.get("serial", ""),
                "new": data.get("new_serial", ""),
                "reason": data.get("reason", ""),
            }

    @actions.register_action(services.LOG_REVOKE)
    class RevokeFormatter(LogFormatter):
        label = gettext_lazy("Revoke certificate")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _("Certificate %(serial)s revoked. Reason: “%(reason)s”") % {
                "serial": data.get("serial", ""),
                "reason": data.get("reason", ""),
            }

    @actions.register_action(services.LOG_ISSUE_AFTER_REVOCATION)
    class IssueAfterRevocationFormatter(LogFormatter):
        label = gettext_lazy("New certificate after a revocation")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return _(
                "Revoked certificate %(serial)s followed by the new certificate %(new)s. "
                "Reason: “%(reason)s”"
            ) % {
                "serial": data.get("serial", ""),
                "new": data.get("new_serial", ""),
                "reason": data.get("reason", ""),
            }

    @actions.register_action(services.LOG_RETRY)
    class RetryFormatter(LogFormatter):
        label = gettext_lazy("Retry certificate")

        def format_message(self, log_entry):
            return _("Making certificate %(serial)s tried again") % {
                "serial": (log_entry.data or {}).get("serial", "")
            }

    @actions.register_action(services.LOG_FAILED)
    class FailedFormatter(LogFormatter):
        label = gettext_lazy("Certificate could not be made")

        def format_message(self, log_entry):
            return _("The certificate could not be made: %(error)s") % {
                "error": (log_entry.data or {}).get("error", "")
            }

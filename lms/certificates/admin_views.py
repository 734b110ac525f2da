"""The certificates admin: the listing, a certificate's page, bulk issue for a cohort, the
cohort's ZIP of PDFs, and the design preview.

Instructors see the certificates of the enrollments they may see (the courses and cohorts
they teach, ``selectors.certificates_managed_by``), superusers all; every view starts from
that queryset, so an id from another course is a 404. Revoking, reissuing and issuing a
new certificate after a revocation are for superusers (the academy's administrators,
``may_manage``); retrying a failed render and bulk issue for the instructors of the
course too.
"""

from __future__ import annotations

import tempfile
import zipfile

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import registry as log_registry

from lms.accounts.roles import is_instructor
from lms.courses.admin_permissions import InstructorPolicy
from lms.courses.admin_records import RecordViewSet
from lms.courses.models import Cohort, CourseInstructor, Enrollment
from lms.courses.selectors import courses_taught_by, enrollments_visible_to

from . import rendering, selectors, services
from .eligibility import eligibilities
from .models import Certificate, CertificateTemplate

Status = Certificate.Status


# --- Who may do what --------------------------------------------------------------------------
class CertificatePermissionPolicy(InstructorPolicy):
    """Instructors and superusers view (and act on) the certificates they manage."""

    def visible(self, user):
        return selectors.certificates_managed_by(user)


def may_manage(user) -> bool:
    """Who may revoke a certificate, reissue it, or follow a revocation with a new
    certificate: the academy's administrators. One rule for the three actions, so whoever
    can revoke can also undo the consequence with a new certificate."""
    return user.is_superuser


def _require_instructor(user):
    if not is_instructor(user):
        raise PermissionDenied


def cohorts_managed_by(user):
    """Cohorts whose certificates ``user`` may issue: a course they are named on, or a
    cohort they teach."""
    cohorts = Cohort.objects.select_related("course").order_by("course__path", "starts_on", "pk")
    if user.is_superuser:
        return cohorts
    return cohorts.filter(
        Q(course_id__in=CourseInstructor.objects.filter(user=user).values("page_id"))
        | Q(pk__in=Cohort.objects.filter(instructors=user).values("pk"))
    )


def _label(name, model=Certificate):
    return capfirst(str(model._meta.get_field(name).verbose_name))


# --- The listing ------------------------------------------------------------------------------
class CertificateFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Course"),
        queryset=lambda request: courses_taught_by(request.user).order_by("path"),
        field_name="enrollment__course",
    )
    cohort = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Cohort"),
        queryset=lambda request: cohorts_managed_by(request.user),
        field_name="enrollment__cohort",
    )
    status = django_filters.ChoiceFilter(label=_label("status"), choices=Status.choices)

    class Meta:
        model = Certificate
        fields = ["course", "cohort", "status"]


class CertificateIndexView(IndexView):
    """修了証: every certificate the user manages; one query for the rows."""

    any_permission_required = ["view"]
    filterset_class = CertificateFilterSet
    search_fields = ["name", "name_kana", "serial"]
    default_ordering = "-created_at"
    detail_url_name = None
    bulk_url_name = None

    def get_base_queryset(self):
        return selectors.certificates_managed_by(self.request.user).select_related(
            "enrollment__course", "enrollment__cohort"
        )

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "serial",
                label=_label("serial"),
                accessor="serial",
                sort_key="serial",
                get_url=lambda c: reverse(self.detail_url_name, args=[c.pk]),
                get_title_id=lambda c: f"certificate_{c.pk}_title",
            ),
            Column("name", label=_label("name"), accessor="name", sort_key="name_kana"),
            Column("name_kana", label=_label("name_kana"), accessor="name_kana"),
            Column("course", label=_("Course"), accessor="course_title"),
            Column(
                "cohort",
                label=_("Cohort"),
                accessor=lambda c: c.enrollment.cohort.name if c.enrollment.cohort else "",
            ),
            Column(
                "status", label=_label("status"), accessor="get_status_display", sort_key="status"
            ),
            DateColumn(
                "completed_on",
                label=_label("completed_on"),
                accessor="completed_on",
                sort_key="completed_on",
            ),
            DateColumn(
                "created_at",
                label=_label("created_at"),
                accessor="created_at",
                sort_key="created_at",
            ),
        ]

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Issue for a cohort"), url=reverse(self.bulk_url_name), icon_name="doc-full"
            )
        ]


# --- One certificate ------------------------------------------------------------------------
class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the certificate's history and the audit log."),
    )


def missing_character_lines(certificate: Certificate) -> list[str]:
    """「氏名の「𪛖」(U+2A6D6) はフォントにありません」, one line per character."""
    lines = []
    for field_name, char, code in certificate.missing_characters or []:
        label = rendering.FIELD_LABELS.get(field_name, field_name)
        lines.append(
            _("%(field)s: “%(char)s” (%(code)s) is not in the certificate fonts.")
            % {"field": capfirst(str(label)), "char": char, "code": code}
        )
    return lines


class CertificateDetailView(WagtailAdminTemplateMixin, View):
    """The snapshot, the PDF, the history, and the actions (revoke, reissue, retry)."""

    template_name = "lms/certificates/admin/detail.html"
    header_icon = "doc-full"
    index_url_name = None
    history_url_name = None

    def dispatch(self, request, *args, **kwargs):
        _require_instructor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Certificate")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_certificate(self, pk) -> Certificate:
        return get_object_or_404(
            selectors.certificates_managed_by(self.request.user).select_related(
                "enrollment__user",
                "enrollment__course",
                "enrollment__cohort",
                "template",
                "issued_by",
                "revoked_by",
                "superseded_by",
                "replaces",
            ),
            pk=pk,
        )

    def render(
        self, certificate, *, revoke_form=None, reissue_form=None, again_form=None, status=200
    ):
        user = self.request.user
        history = list(
            Certificate.objects.filter(enrollment_id=certificate.enrollment_id)
            .select_related("issued_by", "revoked_by")
            .order_by("created_at", "pk")
        )
        follower = next((c for c in history if c.replaces_id == certificate.pk), None)
        log_entries = (
            log_registry.get_logs_for_instance(certificate)
            .select_related("user")
            .order_by("-timestamp")
        )
        context = self.get_context_data(
            certificate=certificate,
            trainee=certificate.enrollment.user,
            history=history,
            log_entries=log_entries,
            missing_lines=missing_character_lines(certificate),
            can_manage=may_manage(user),
            follower=follower,
            can_issue_again=certificate.status == Status.REVOKED and follower is None,
            revoke_form=revoke_form or ReasonForm(prefix="revoke"),
            reissue_form=reissue_form or ReasonForm(prefix="reissue"),
            again_form=again_form or ReasonForm(prefix="again"),
            index_url=reverse(self.index_url_name),
            history_url=reverse(self.history_url_name, args=[certificate.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(self.get_certificate(pk))

    def post(self, request, pk):
        certificate = self.get_certificate(pk)
        action = request.POST.get("action")
        if action in ("revoke", "reissue", "issue_again") and not may_manage(request.user):
            raise PermissionDenied
        if action == "issue_again":
            return self.issue_again(certificate)
        try:
            if action == "retry":
                certificate = services.certificate_retry(
                    certificate=certificate, actor=request.user
                )
                certificate.refresh_from_db()
                if certificate.status == Status.ISSUED:
                    messages.success(request, _("The certificate has been issued."))
                elif certificate.status == Status.FAILED:
                    messages.error(request, _("The certificate could not be made again."))
                else:
                    messages.success(request, _("The certificate is being made again."))
                return redirect(request.path)
            if action in ("revoke", "reissue"):
                form = ReasonForm(request.POST, prefix=action)
                if not form.is_valid():
                    return self.render(certificate, **{f"{action}_form": form}, status=400)
                if action == "revoke":
                    services.certificate_revoke(
                        certificate=certificate,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        _("Certificate %(serial)s has been revoked.")
                        % {"serial": certificate.serial},
                    )
                    return redirect(request.path)
                new = services.certificate_reissue(
                    certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("Certificate %(new)s replaces %(old)s.")
                    % {"new": new.serial, "old": certificate.serial},
                )
                return redirect(reverse(request.resolver_match.view_name, args=[new.pk]))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        return HttpResponse(status=400)

    def issue_again(self, certificate):
        """A new certificate after a revocation, in two steps: the reason, then a page that
        says what will happen (the name as now registered) and asks to confirm."""
        request = self.request
        follower = Certificate.objects.filter(replaces=certificate).first()
        if follower is not None:
            messages.warning(
                request,
                _("Certificate %(new)s has already been issued after this revocation.")
                % {"new": follower.serial},
            )
            return redirect(reverse(request.resolver_match.view_name, args=[follower.pk]))
        form = ReasonForm(request.POST, prefix="again")
        if not form.is_valid():
            return self.render(certificate, again_form=form, status=400)
        refusals = (
            [_("Only a revoked certificate can be followed by a new certificate.")]
            if certificate.status != Status.REVOKED
            else services.issue_refusals(certificate.enrollment)
        )
        if refusals:
            messages.error(request, " ".join(refusals))
            return redirect(request.path)
        if request.POST.get("confirm") != "yes":
            trainee = certificate.enrollment.user
            context = self.get_context_data(
                certificate=certificate,
                trainee=trainee,
                reason=form.cleaned_data["reason"],
                detail_url=request.path,
            )
            return TemplateResponse(
                request, "lms/certificates/admin/issue_again_confirm.html", context
            )
        try:
            new = services.certificate_issue_after_revocation(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        messages.success(
            request,
            _("Certificate %(new)s follows the revoked certificate %(old)s.")
            % {"new": new.serial, "old": certificate.serial},
        )
        return redirect(reverse(request.resolver_match.view_name, args=[new.pk]))


class CertificateHistoryView(HistoryView):
    """Wagtail's audit log of a certificate (issue, reissue, revocation, failures)."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return selectors.certificates_managed_by(self.request.user)

    @cached_property
    def header_buttons(self):
        return []


# --- Bulk issue for a cohort -------------------------------------------------------------------
class BulkIssueView(WagtailAdminTemplateMixin, View):
    """Choose a cohort; review who is eligible (and what the others miss); issue; download."""

    template_name = "lms/certificates/admin/bulk.html"
    header_icon = "doc-full"
    index_url_name = None
    zip_url_name = None
    detail_url_name = None

    def dispatch(self, request, *args, **kwargs):
        _require_instructor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Issue certificates for a cohort")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Certificates")},
            {"url": "", "label": self.get_page_title()},
        ]

    def _cohort(self, value):
        if not str(value or "").isdigit():
            return None
        return get_object_or_404(cohorts_managed_by(self.request.user), pk=int(value))

    def rows(self, cohort):
        """One row per seated trainee of the cohort: eligibility, certificate (constant
        queries: the enrollments, ``eligibilities``, the certificates)."""
        enrollments = list(
            enrollments_visible_to(self.request.user)
            .filter(cohort=cohort, status__in=Enrollment.SEATED)
            .select_related("user", "course")
            .order_by("user__last_name_kana", "user__first_name_kana", "pk")
        )
        if not enrollments:
            return []
        results = eligibilities(enrollments)
        certificates = {
            c.enrollment_id: c
            for c in Certificate.objects.current().filter(
                enrollment__in=[e.pk for e in enrollments]
            )
        }
        rows = []
        for enrollment in enrollments:
            certificate = certificates.get(enrollment.pk)
            result = results[enrollment.pk]
            rows.append(
                {
                    "enrollment": enrollment,
                    "eligibility": result,
                    "certificate": certificate,
                    "can_issue": certificate is None and result.complete,
                }
            )
        return rows

    def get(self, request):
        cohort = self._cohort(request.GET.get("cohort"))
        return self.render(cohort)

    def render(self, cohort, status=200):
        rows = self.rows(cohort) if cohort else []
        context = self.get_context_data(
            cohorts=cohorts_managed_by(self.request.user),
            cohort=cohort,
            rows=rows,
            eligible_count=sum(1 for r in rows if r["can_issue"]),
            issued_count=sum(
                1 for r in rows if r["certificate"] and r["certificate"].status == Status.ISSUED
            ),
            zip_url=reverse(self.zip_url_name, args=[cohort.pk]) if cohort else "",
            detail_url_name=self.detail_url_name,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request):
        cohort = self._cohort(request.POST.get("cohort"))
        if cohort is None:
            raise Http404
        chosen = {int(v) for v in request.POST.getlist("enrollment") if v.isdigit()}
        if not chosen:
            messages.error(request, _("Choose at least one trainee."))
            return self.render(cohort, status=400)
        enrollments = (
            enrollments_visible_to(request.user)
            .filter(cohort=cohort, pk__in=chosen, status__in=Enrollment.SEATED)
            .select_related("user", "course")
            .order_by("pk")
        )
        result = services.certificates_issue_bulk(enrollments=enrollments, actor=request.user)
        if result.issued:
            messages.success(
                request,
                ngettext(
                    "%(count)d certificate issued.",
                    "%(count)d certificates issued.",
                    len(result.issued),
                )
                % {"count": len(result.issued)},
            )
        for enrollment, reasons in result.refused:
            messages.error(
                request,
                _("Not issued for %(name)s: %(reasons)s")
                % {"name": enrollment.user.get_full_name(), "reasons": " ".join(reasons)},
            )
        return redirect(reverse(request.resolver_match.view_name) + f"?cohort={cohort.pk}")


class CohortZipView(View):
    """One ZIP of the stored PDFs of a cohort's valid certificates (those the user may
    see; never a revoked or superseded one), built in a temporary file from storage and
    streamed."""

    def get(self, request, cohort_id):
        _require_instructor(request.user)
        cohort = get_object_or_404(cohorts_managed_by(request.user), pk=cohort_id)
        certificates = list(
            selectors.certificates_managed_by(request.user)
            .filter(enrollment__cohort=cohort, status=Status.ISSUED)
            .order_by("serial")
        )
        if not certificates:
            messages.error(request, _("This cohort has no issued certificates yet."))
            return redirect(reverse("certificates_admin:bulk") + f"?cohort={cohort.pk}")
        storage = storages["private"]
        spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for certificate in certificates:
                try:
                    with storage.open(certificate.pdf_file, "rb") as handle:
                        data = handle.read()
                except FileNotFoundError:
                    continue
                archive.writestr(f"{certificate.serial}_{certificate.name}.pdf", data)
        spool.seek(0)
        filename = f"certificates-{cohort.pk}-{timezone.localdate():%Y%m%d}.zip"
        response = FileResponse(
            spool, as_attachment=True, filename=filename, content_type="application/zip"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CertificateViewSet(RecordViewSet):
    """修了証 in the admin menu: /admin/certificates/."""

    model = Certificate
    record_view_name = "detail"
    name = "certificates_admin"
    url_prefix = "certificates"
    icon = "doc-full"
    menu_label = gettext_lazy("Certificates")
    menu_order = 209
    index_view_class = CertificateIndexView
    history_view_class = CertificateHistoryView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            detail_url_name=self.get_url_name("detail"),
            bulk_url_name=self.get_url_name("bulk"),
            **kwargs,
        )

    def get_urlpatterns(self):
        detail = CertificateDetailView.as_view(
            index_url_name=self.get_url_name("index"),
            history_url_name=self.get_url_name("history"),
        )
        bulk = BulkIssueView.as_view(
            index_url_name=self.get_url_name("index"),
            zip_url_name=self.get_url_name("zip"),
            detail_url_name=self.get_url_name("detail"),
        )
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", detail, name="detail"),
            path("cohort/", bulk, name="bulk"),
            path("cohort/<int:cohort_id>/zip/", CohortZipView.as_view(), name="zip"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
        ]


class FailedCertificatesPanel(Component):
    """On the dashboard of superusers: how many certificates could not be made (each one's
    page names the characters and code points), with a link to them. One query."""

    name = "certificates_failed"
    template_name = "lms/certificates/admin/home_failed_panel.html"
    order = 60

    def __init__(self, *, index_url_name):
        self.index_url_name = index_url_name

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(
            count=Certificate.objects.filter(status=Status.FAILED).count(),
            listing_url=reverse(self.index_url_name) + "?status=failed",
        )
        return context


# --- Design preview -----------------------------------------------------------------------------
def template_preview(request, pk):
    """The design rendered with sample data, as a PDF shown in the browser (admins only:
    those who may change designs)."""
    if not request.user.has_perm("certificates.change_certificatetemplate"):
        raise PermissionDenied
    template = get_object_or_404(
        CertificateTemplate.objects.select_related("seal_image", "logo_image"), pk=pk
    )
    try:
        pdf = rendering.render_preview(template.design())
    except (rendering.MissingGlyphs, rendering.RenderTimeout, ValueError) as exc:
        return TemplateResponse(
            request,
            "lms/certificates/admin/preview_error.html",
            {"template": template, "error": str(exc)},
            status=400,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{template.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

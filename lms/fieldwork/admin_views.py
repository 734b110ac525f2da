"""The fieldwork admin: the review queue, the review page, course totals, requirements.

Instructors see the entries of the courses they teach (named on the course page or on a
cohort), superusers all; every view starts from ``selectors.entries_reviewable_by``, so an
id from another course is a 404. Text written by trainees is shown through Django's
autoescaping (never ``|safe``), in the listing, the review page and the exports.
"""

import datetime
from collections import OrderedDict

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from lms.accounts.roles import is_instructor
from lms.courses.admin_permissions import CourseScopedPolicy, InstructorPolicy
from lms.courses.admin_records import RecordViewSet
from lms.courses.models import Cohort, CourseInstructor
from lms.courses.selectors import ENROLLMENT_SEARCH_FIELDS, courses_taught_by

from . import selectors, services
from .admin_trainees import TraineeFilter, entries_search, trainee_hours, trainees_listed_for
from .forms import ReviewForm
from .models import FieldworkEntry, FieldworkEvent, FieldworkRequirement

Status = FieldworkEntry.Status


# --- Who may do what --------------------------------------------------------------------------
class FieldworkEntryPermissionPolicy(InstructorPolicy):
    """Review entries of the courses taught; nobody adds or deletes entries here."""

    def visible(self, user):
        return selectors.entries_reviewable_by(user)


class FieldworkRequirementPermissionPolicy(CourseScopedPolicy):
    """Instructors set the requirement of the courses they teach (add, change, delete)."""


def _cohorts(request):
    user = request.user
    cohorts = Cohort.objects.select_related("course").order_by("course__path", "starts_on", "pk")
    if user.is_superuser:
        return cohorts
    return cohorts.filter(
        Q(course_id__in=CourseInstructor.objects.filter(user=user).values("page_id"))
        | Q(pk__in=Cohort.objects.filter(instructors=user).values("pk"))
    )


def _courses(request):
    return courses_taught_by(request.user).order_by("path")


def _label(name, model=FieldworkEntry):
    return capfirst(str(model._meta.get_field(name).verbose_name))


# --- The review queue --------------------------------------------------------------------------
class FieldworkEntryFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Course"), queryset=_courses, field_name="enrollment__course"
    )
    cohort = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Cohort"), queryset=_cohorts, field_name="enrollment__cohort"
    )
    status = django_filters.ChoiceFilter(label=_label("status"), choices=Status.choices)
    supervisor_status = django_filters.ChoiceFilter(
        label=_label("supervisor_status"), choices=FieldworkEntry.SupervisorStatus.choices
    )
    trainee = TraineeFilter(
        label=gettext_lazy("Trainee"), queryset=trainees_listed_for, field_name="enrollment__user"
    )

    class Meta:
        model = FieldworkEntry
        fields = ["course", "cohort", "trainee", "status", "supervisor_status"]


#: The columns of the export, in order.
EXPORT_COLUMNS = (
    "trainee",
    "kana",
    "email",
    "course",
    "cohort",
    "date",
    "hours",
    "category",
    "prefecture",
    "municipality",
    "site",
    "activity",
    "learned",
    "next_steps",
    "supervisor",
    "supervisor_status",
    "status",
    "review_comment",
    "submitted_at",
)


class FieldworkEntryIndexView(IndexView):
    """フィールドワークの確認: submitted entries of the courses taught, filters, export.

    One query for the rows whatever their number (trainee, course, cohort and category are
    joined); drafts are the trainee's own business and never listed. Narrowed to one
    trainee (``?trainee=<user id>``) it shows their hours against the requirement above the
    rows; the search finds trainees by name, kana or e-mail (``admin_trainees``).
    """

    any_permission_required = ["view"]
    filterset_class = FieldworkEntryFilterSet
    results_template_name = "lms/fieldwork/admin/entry_index_results.html"
    # The fields searched (``admin_trainees.entries_search`` matches kana in both scripts).
    search_fields = [f"enrollment__{name}" for name in ENROLLMENT_SEARCH_FIELDS]
    search_backend_name = None
    default_ordering = "-submitted_at"
    summary_url_name = None
    review_url_name = None

    def get_base_queryset(self):
        return (
            selectors.entries_reviewable_by(self.request.user)
            .exclude(status=Status.DRAFT)
            .select_related(
                "enrollment__user", "enrollment__course", "enrollment__cohort", "category"
            )
        )

    def search_queryset(self, queryset):
        return entries_search(queryset, self.search_query) if self.is_searching else queryset

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def chosen_trainee_hours(self):
        """The chosen trainee's hours per enrollment shown here (one query), or None."""
        if not (self.filters and self.filters.is_valid()):
            return None
        chosen = self.filters.form.cleaned_data
        if not chosen.get("trainee"):
            return None
        return trainee_hours(
            self.request,
            trainee=chosen["trainee"],
            course=chosen.get("course"),
            cohort=chosen.get("cohort"),
        )

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export and self.chosen_trainee_hours is not None:
            context["trainee"] = self.filters.form.cleaned_data["trainee"]
            context["trainee_hours"] = self.chosen_trainee_hours
        return context

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "trainee",
                label=_("Trainee"),
                accessor=lambda e: e.enrollment.user.get_full_name(),
                get_url=lambda e: reverse(self.review_url_name, args=[e.pk]),
                get_title_id=lambda e: f"fieldwork_entry_{e.pk}_title",
            ),
            Column("course", label=_("Course"), accessor="enrollment.course.title"),
            Column(
                "cohort",
                label=_("Cohort"),
                accessor=lambda e: e.enrollment.cohort.name if e.enrollment.cohort else "",
            ),
            DateColumn("date", label=_label("date"), accessor="date", sort_key="date"),
            Column("hours", label=_label("hours"), accessor="hours", sort_key="hours"),
            Column("category", label=_label("category"), accessor="category.label"),
            Column("prefecture", label=_label("prefecture"), accessor="get_prefecture_display"),
            Column(
                "status", label=_label("status"), accessor="get_status_display", sort_key="status"
            ),
            Column(
                "supervisor_status",
                label=_label("supervisor_status"),
                accessor="get_supervisor_status_display",
            ),
            DateColumn(
                "submitted_at",
                label=_label("submitted_at"),
                accessor="submitted_at",
                sort_key="submitted_at",
            ),
        ]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        course_id = self.request.GET.get("course", "")
        if self.summary_url_name and course_id.isdigit():
            url = reverse(self.summary_url_name, args=[int(course_id)])
            if cohort := self.request.GET.get("cohort", ""):
                url += f"?cohort={cohort}" if cohort.isdigit() else ""
            buttons.append(HeaderButton(_("Totals and map"), url=url, icon_name="site"))
        return buttons

    # Export ---------------------------------------------------------------------------------
    list_export = list(EXPORT_COLUMNS)

    def get_heading(self, queryset, field):
        return str(self._headings()[field])

    def _headings(self):
        return {
            "trainee": _("Trainee"),
            "kana": _("Reading (kana)"),
            "email": _("E-mail address"),
            "course": _("Course"),
            "cohort": _("Cohort"),
            "date": _label("date"),
            "hours": _label("hours"),
            "category": _label("category"),
            "prefecture": _label("prefecture"),
            "municipality": _label("municipality"),
            "site": _label("site"),
            "activity": _label("activity"),
            "learned": _label("learned"),
            "next_steps": _label("next_steps"),
            "supervisor": _("Supervisor"),
            "supervisor_status": _label("supervisor_status"),
            "status": _label("status"),
            "review_comment": _label("review_comment"),
            "submitted_at": _label("submitted_at"),
        }

    def get_filename(self):
        return f"fieldwork-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, item):
        user = item.enrollment.user
        supervisor = item.supervisor_name
        if supervisor and item.supervisor_role:
            supervisor = f"{supervisor}（{item.supervisor_role}）"
        values = {
            "trainee": user.get_full_name(),
            "kana": user.full_name_kana,
            "email": user.email,
            "course": item.enrollment.course.title,
            "cohort": item.enrollment.cohort.name if item.enrollment.cohort else "",
            "date": item.date,
            "hours": item.hours,
            "category": item.category.label if item.category else "",
            "prefecture": item.get_prefecture_display(),
            "municipality": item.municipality,
            "site": item.site,
            "activity": item.activity,
            "learned": item.learned,
            "next_steps": item.next_steps,
            "supervisor": supervisor,
            "supervisor_status": item.get_supervisor_status_display(),
            "status": item.get_status_display(),
            "review_comment": item.review_comment,
            "submitted_at": item.submitted_at,
        }
        return OrderedDict((name, values[name]) for name in self.list_export)

    def preprocess_field_value(self, field, value, export_format):
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            if export_format == self.FORMAT_XLSX:
                return local.replace(tzinfo=None)
            return local.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value if export_format == self.FORMAT_XLSX else value.isoformat()
        if field == "hours":
            return float(value) if export_format == self.FORMAT_XLSX else f"{value.normalize():f}"
        value = str(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            # Text typed as a formula stays text when a spreadsheet opens the file.
            return "'" + value
        return value

    def stream_csv(self, queryset):
        yield "\ufeff"  # a byte-order mark, so that Excel reads the Japanese correctly
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response


# --- Reviewing one entry ------------------------------------------------------------------------
class FieldworkReviewView(WagtailAdminTemplateMixin, View):
    """One entry with its evidence and history; approve, return with a comment, or reject."""

    template_name = "lms/fieldwork/admin/review.html"
    header_icon = "site"
    index_url_name = None
    history_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Review fieldwork entry")

    def get_entry(self, pk):
        return get_object_or_404(
            selectors.entries_reviewable_by(self.request.user)
            .select_related(
                "enrollment__user", "enrollment__course", "enrollment__cohort", "category"
            )
            .prefetch_related(
                "attachments",
                Prefetch("events", queryset=FieldworkEvent.objects.select_related("actor")),
            ),
            pk=pk,
        )

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Fieldwork")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, entry, form, status=200):
        context = self.get_context_data(
            entry=entry,
            form=form,
            can_decide=entry.status == Status.SUBMITTED,
            index_url=reverse(self.index_url_name),
            history_url=reverse(self.history_url_name, args=[entry.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(self.get_entry(pk), ReviewForm())

    def post(self, request, pk):
        entry = self.get_entry(pk)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.entry_review(
                    entry=entry,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                entry.refresh_from_db()
                messages.success(
                    request,
                    _("%(trainee)s, %(date)s: %(status)s")
                    % {
                        "trainee": entry.enrollment.user.get_full_name(),
                        "date": entry.date.strftime("%Y-%m-%d"),
                        "status": entry.get_status_display(),
                    },
                )
                return redirect(reverse(self.index_url_name) + "?status=submitted")
        return self.render(self.get_entry(pk), form, status=400)


class FieldworkHistoryView(HistoryView):
    """Wagtail's audit log of an entry (decisions by instructors, the supervisor's answer)."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return selectors.entries_reviewable_by(self.request.user).select_related("enrollment__user")

    @cached_property
    def header_buttons(self):
        return []


# --- A course's totals and map ---------------------------------------------------------------
class CourseSummaryView(WagtailAdminTemplateMixin, View):
    """Approved hours per trainee against the requirement, and the map by prefecture."""

    template_name = "lms/fieldwork/admin/course_summary.html"
    header_icon = "site"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Fieldwork totals")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Fieldwork")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, course_id):
        from .maps import prefecture_map_context

        course = get_object_or_404(courses_taught_by(request.user), pk=course_id)
        cohorts = list(course.cohorts.order_by("starts_on", "pk"))
        cohort = None
        cohort_id = request.GET.get("cohort", "")
        if cohort_id.isdigit():
            cohort = next((c for c in cohorts if c.pk == int(cohort_id)), None)
        totals = selectors.course_totals(course, cohort=cohort)
        context = self.get_context_data(
            course=course,
            cohorts=cohorts,
            cohort=cohort,
            totals=totals,
            queue_url=reverse(self.index_url_name) + f"?course={course.pk}&status=submitted",
            **prefecture_map_context(
                totals["by_prefecture"],
                title=_("Approved hours by prefecture"),
                unit=_("hours"),
            ),
        )
        return TemplateResponse(request, self.template_name, context)


class FieldworkEntryViewSet(RecordViewSet):
    """フィールドワーク in the admin menu: /admin/fieldwork/ (queue, review, totals, history)."""

    model = FieldworkEntry
    record_view_name = "review"
    name = "fieldwork_entries"
    url_prefix = "fieldwork"
    icon = "site"
    menu_label = gettext_lazy("Fieldwork")
    menu_order = 206
    index_view_class = FieldworkEntryIndexView
    history_view_class = FieldworkHistoryView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            summary_url_name=self.get_url_name("summary"),
            review_url_name=self.get_url_name("review"),
            **kwargs,
        )

    def get_urlpatterns(self):
        review = FieldworkReviewView.as_view(
            index_url_name=self.get_url_name("index"),
            history_url_name=self.get_url_name("history"),
        )
        summary = CourseSummaryView.as_view(index_url_name=self.get_url_name("index"))
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("review/<int:pk>/", review, name="review"),
            path("courses/<int:course_id>/", summary, name="summary"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
        ]


# --- Requirements per course ---------------------------------------------------------------------
class RequirementAdminForm(WagtailAdminModelForm):
    """Only the courses the instructor teaches can be chosen."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "course" in self.fields:
            self.fields["course"].queryset = courses_taught_by(for_user).order_by("path")
        if "categories" in self.fields:
            self.fields["categories"].widget = forms.CheckboxSelectMultiple()
            self.fields["categories"].widget.choices = self.fields["categories"].choices


class _RequirementQuerysetMixin:
    def get_queryset(self):
        return FieldworkRequirement.objects.filter(
            course__in=courses_taught_by(self.request.user)
        ).select_related("course")


class RequirementIndexView(_RequirementQuerysetMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.get_queryset()


class RequirementEditView(_RequirementQuerysetMixin, generic.EditView):
    pass


class RequirementDeleteView(_RequirementQuerysetMixin, generic.DeleteView):
    pass


class FieldworkRequirementViewSet(ModelViewSet):
    """Each course's fieldwork requirement, edited by the instructors of that course."""

    model = FieldworkRequirement
    name = "fieldwork_requirements"
    url_prefix = "fieldwork-requirements"
    icon = "tasks"
    menu_label = gettext_lazy("Fieldwork requirements")
    menu_order = 207
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = RequirementIndexView
    edit_view_class = RequirementEditView
    delete_view_class = RequirementDeleteView
    list_display = ["course", "required_hours", "deadline"]
    edit_handler = ObjectList(
        [
            FieldPanel("course", widget=forms.Select),
            FieldPanel("required_hours"),
            FieldPanel("categories"),
            FieldPanel("deadline"),
            FieldPanel("instructions"),
        ],
        base_form_class=RequirementAdminForm,
    )

    def get_permissions_to_register(self):
        from django.contrib.auth.models import Permission

        return Permission.objects.none()

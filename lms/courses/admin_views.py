"""The enrollment admin (受講登録): listing, decisions, export and enrollment from CSV.

Instructors see and decide on the enrollments of the courses they teach (named on the
course page, or on the enrollment's cohort); superusers see everything. That rule is one
queryset, ``selectors.enrollments_visible_to``, and every view here starts from it, so an
id from another course is a 404, never a decision.

Wired into Wagtail by ``wagtail_hooks.py``: ``EnrollmentViewSet`` (the URLs under
/admin/enrollments/ and the menu item), the two bulk actions (approve, reject; used for
one row too), and ``EnrollmentPermissionPolicy``.
"""

import base64
import datetime
import logging
import secrets
import zlib
from collections import OrderedDict
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_list_or_404, get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django_tasks.base import TaskResultStatus
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    ButtonsColumnMixin,
    Column,
    DateColumn,
    TitleColumn,
)
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permissions import policy_registry

from . import bulk, selectors
from .admin_permissions import InstructorPolicy
from .admin_records import RecordViewSet
from .forms import BulkEnrollmentCommitForm, BulkEnrollmentUploadForm, EnrollmentDecisionForm
from .models import Cohort, CourseInstructor, Enrollment

Status = Enrollment.Status
logger = logging.getLogger(__name__)


# --- Who may do what --------------------------------------------------------------------------
class EnrollmentPermissionPolicy(InstructorPolicy):
    """Instructors and superusers view and decide on enrollments, per course taught.
    Nobody adds or deletes enrollments here: they are made by enrolling and never deleted.
    """

    def visible(self, user):
        return selectors.enrollments_visible_to(user)


def _require_manager(user):
    if not policy_registry.get_by_type(Enrollment).user_has_permission(user, "change"):
        raise PermissionDenied


# --- Listing ----------------------------------------------------------------------------------
def _courses(request):
    return selectors.courses_taught_by(request.user).order_by("path")


def _cohorts(request):
    user = request.user
    cohorts = Cohort.objects.select_related("course").order_by("course__path", "starts_on", "pk")
    if user.is_superuser:
        return cohorts
    return cohorts.filter(
        Q(course_id__in=CourseInstructor.objects.filter(user=user).values("page_id"))
        | Q(pk__in=Cohort.objects.filter(instructors=user).values("pk"))
    )


class EnrollmentFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=capfirst(Enrollment._meta.get_field("course").verbose_name), queryset=_courses
    )
    cohort = django_filters.ModelChoiceFilter(
        label=capfirst(Enrollment._meta.get_field("cohort").verbose_name), queryset=_cohorts
    )
    status = django_filters.ChoiceFilter(
        label=capfirst(Enrollment._meta.get_field("status").verbose_name),
        choices=Status.choices,
    )

    class Meta:
        model = Enrollment
        fields = ["course", "cohort", "status"]


def filtered_enrollments(request):
    """The listing's rows for ``request``: permitted, then filtered and searched as asked."""
    queryset = selectors.enrollments_visible_to(request.user)
    filters = EnrollmentFilterSet(data=request.GET, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    return selectors.enrollments_search(queryset, request.GET.get("q", ""))


def _label(field_name, model=Enrollment):
    return capfirst(model._meta.get_field(field_name).verbose_name)


class TraineeColumn(ButtonsColumnMixin, TitleColumn):
    """The trainee's name (family name first), with the row's actions."""

    def __init__(self, *args, view, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = view

    def get_buttons(self, instance, parent_context):
        return self.view.get_list_buttons(instance)


#: The columns of the listing and of its export, in order.
EXPORT_COLUMNS = (
    "trainee",
    "kana",
    "email",
    "course",
    "cohort",
    "status",
    "applied_at",
    "progress",
    "last_activity",
)


class EnrollmentIndexView(IndexView):
    """受講登録の一覧: filters, search, bulk decisions, progress and CSV/XLSX export.

    A fixed number of queries per page whatever its length: the rows come with their
    trainee, course and cohort (one query), progress for the whole page takes two more
    (``selectors.enrollments_progress``).
    """

    template_name = "lms/courses/admin/enrollment_index.html"
    any_permission_required = ["view"]
    filterset_class = EnrollmentFilterSet
    search_fields = list(selectors.ENROLLMENT_SEARCH_FIELDS)
    search_backend_name = None
    default_ordering = "-created_at"
    history_url_name = None
    import_url_name = None

    def get_base_queryset(self):
        return selectors.enrollments_visible_to(self.request.user).select_related(
            "user", "course", "cohort"
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return selectors.enrollments_search(queryset, self.search_query)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        # A stable order for pagination when many rows share a value.
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="enrollment"),
            TraineeColumn(
                "trainee",
                label=_label("user"),
                accessor=lambda e: e.user.get_full_name(),
                sort_key="user__last_name_kana",
                get_title_id=lambda e: f"enrollment_{e.pk}_title",
                view=self,
            ),
            Column("kana", label=_("Reading (kana)"), accessor="user.full_name_kana"),
            Column("email", label=_label("email", get_user_model()), accessor="user.email"),
            Column(
                "course", label=_label("course"), accessor="course.title", sort_key="course__title"
            ),
            Column("cohort", label=_label("cohort"), accessor="cohort.name"),
            Column(
                "status", label=_label("status"), accessor="get_status_display", sort_key="status"
            ),
            DateColumn(
                "applied_at",
                label=_label("created_at"),
                accessor="created_at",
                sort_key="created_at",
            ),
            Column("progress", label=_("Progress"), accessor=lambda e: f"{e.progress.percent}%"),
            DateColumn(
                "last_activity",
                label=_label("last_activity_at"),
                accessor="last_activity_at",
                sort_key="last_activity_at",
            ),
        ]

    def with_progress(self, enrollments):
        enrollments = list(enrollments)
        progress = selectors.enrollments_progress(enrollments)
        for enrollment in enrollments:
            enrollment.progress = progress[enrollment.pk]
        return enrollments

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = self.with_progress(object_list)
        return paginator, page, page.object_list, is_paginated

    # Row actions ----------------------------------------------------------------------------
    def _decision_url(self, action, instance):
        query = urlencode({"id": instance.pk, "next": self.request.get_full_path()})
        return reverse("wagtail_bulk_action", args=["courses", "enrollment", action]) + "?" + query

    def get_list_more_buttons(self, instance):
        buttons = []
        if instance.status == Status.PENDING:
            buttons.append(
                Button(
                    _("Approve"),
                    url=self._decision_url("approve", instance),
                    icon_name="check",
                    priority=10,
                )
            )
        if instance.status in (Status.PENDING, Status.WAITLISTED):
            buttons.append(
                Button(
                    _("Reject"),
                    url=self._decision_url("reject", instance),
                    icon_name="cross",
                    priority=20,
                )
            )
        if self.history_url_name:
            buttons.append(
                Button(
                    _("History"),
                    url=reverse(self.history_url_name, args=[instance.pk]),
                    icon_name="history",
                    priority=90,
                )
            )
        return buttons

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.import_url_name:
            buttons = [
                *buttons,
                HeaderButton(
                    _("Enroll from a CSV file"),
                    url=reverse(self.import_url_name),
                    icon_name="upload",
                ),
            ]
        return buttons

    # Export ---------------------------------------------------------------------------------
    list_export = list(EXPORT_COLUMNS)

    @cached_property
    def export_headings(self):
        return {
            column.name: str(column.label)
            for column in self.columns
            if column.name in EXPORT_COLUMNS
        }

    def get_heading(self, queryset, field):
        return self.export_headings[field]

    def get_filename(self):
        return f"enrollments-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, item):
        user = item.user
        values = {
            "trainee": user.get_full_name(),
            "kana": user.full_name_kana,
            "email": user.email,
            "course": item.course.title,
            "cohort": item.cohort.name if item.cohort else "",
            "status": item.get_status_display(),
            "applied_at": item.created_at,
            "progress": item.progress.percent,
            "last_activity": item.last_activity_at,
        }
        return OrderedDict((name, values[name]) for name in self.list_export)

    def preprocess_field_value(self, field, value, export_format):
        if value is None:
            return ""
        if field == "progress":
            # 33% in both: text in CSV, a number formatted as a percentage in XLSX.
            return value / 100 if export_format == self.FORMAT_XLSX else f"{value}%"
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            if export_format == self.FORMAT_XLSX:
                return local.replace(tzinfo=None)
            return local.strftime("%Y-%m-%d %H:%M")
        if (
            export_format == self.FORMAT_CSV
            and isinstance(value, str)
            and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        ):
            # A name typed as a formula must stay text when Excel opens the file.
            return "'" + value
        return str(value) if export_format == self.FORMAT_CSV else value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        cells = super().generate_xlsx_row(worksheet, row_dict, date_format=date_format)
        for field_name, cell in zip(row_dict, cells, strict=True):
            if field_name == "progress":
                cell.number_format = "0%"
            yield cell

    def stream_csv(self, queryset):
        # A byte-order mark, so that Excel reads the UTF-8 (and the Japanese) correctly.
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

    def as_spreadsheet(self, queryset, spreadsheet_format):
        return super().as_spreadsheet(self.with_progress(queryset), spreadsheet_format)


class EnrollmentHistoryView(HistoryView):
    """An enrollment's audit log (decisions, enrollment by an instructor)."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return selectors.enrollments_visible_to(self.request.user).select_related("user", "course")

    @cached_property
    def header_buttons(self):
        return []


# --- Decisions (Wagtail bulk actions, also used for a single row) ----------------------------
class EnrollmentDecisionBulkAction(BulkAction):
    models = [Enrollment]
    form_class = EnrollmentDecisionForm
    template_name = "lms/courses/admin/confirm_decision.html"
    approve = True
    decidable = (Status.PENDING,)

    def dispatch(self, request, *args, **kwargs):
        _require_manager(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, model, object_ids):
        ids = [int(i) for i in object_ids if str(i).isdigit()]
        visible = selectors.enrollments_visible_to(self.request.user)
        return get_list_or_404(
            visible.select_related("user", "course", "cohort").order_by("pk"), pk__in=ids
        )

    def get_all_objects_in_listing_query(self, parent_id):
        return filtered_enrollments(self.request).values_list("pk", flat=True)

    def check_perm(self, obj):
        # Rows not awaiting this decision are shown apart on the confirmation page and left alone.
        return obj.status in self.decidable

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.texts(len(context["items"])))
        return context

    def form_valid(self, form):
        objects, others = self.get_actionable_objects()
        result = bulk.enrollments_decide_logged(
            enrollments=objects,
            actor=self.request.user,
            approve=self.approve,
            message=form.cleaned_data["message"],
        )
        self.report(result, skipped=len(others["items_with_no_access"]))
        return redirect(self.next_url)

    def report(self, result, *, skipped):
        request = self.request
        done = len(result.done)
        if done:
            messages.success(request, self.done_message(done, result))
        for enrollment, error in result.errors[:20]:
            messages.error(
                request,
                _("%(trainee)s (%(course)s): %(error)s")
                % {
                    "trainee": enrollment.user.get_full_name(),
                    "course": enrollment.course.title,
                    "error": error,
                },
            )
        if len(result.errors) > 20:
            messages.error(request, _("…and %(count)d more.") % {"count": len(result.errors) - 20})
        if skipped:
            messages.warning(request, self.skipped_message(skipped))

    def texts(self, count):
        raise NotImplementedError

    def done_message(self, count, result):
        raise NotImplementedError

    def skipped_message(self, count):
        raise NotImplementedError


class ApproveEnrollmentsBulkAction(EnrollmentDecisionBulkAction):
    display_name = gettext_lazy("Approve")
    action_type = "approve"
    aria_label = gettext_lazy("Approve the selected applications")
    action_priority = 10
    approve = True
    decidable = (Status.PENDING,)

    def texts(self, count):
        return {
            "heading": _("Approve applications"),
            "question": ngettext(
                "Approve this application?", "Approve these %(count)d applications?", count
            )
            % {"count": count},
            "note": _("If the cohort is full, an approved trainee goes on its waiting list."),
            "skipped_text": _("These are not awaiting approval and will be left as they are:"),
            "action_button_text": _("Yes, approve"),
            "action_button_class": "",
        }

    def done_message(self, count, result):
        text = ngettext(
            "%(count)d application approved.", "%(count)d applications approved.", count
        ) % {"count": count}
        if result.waitlisted:
            text += " " + ngettext(
                "%(count)d of them is on the waiting list because the cohort is full.",
                "%(count)d of them are on the waiting list because the cohort is full.",
                result.waitlisted,
            ) % {"count": result.waitlisted}
        return text

    def skipped_message(self, count):
        return ngettext(
            "%(count)d selected enrollment is not awaiting approval and was left as it is.",
            "%(count)d selected enrollments are not awaiting approval and were left as they are.",
            count,
        ) % {"count": count}


class RejectEnrollmentsBulkAction(EnrollmentDecisionBulkAction):
    display_name = gettext_lazy("Reject")
    action_type = "reject"
    aria_label = gettext_lazy("Reject the selected applications")
    action_priority = 20
    classes = {"serious"}
    approve = False
    decidable = (Status.PENDING, Status.WAITLISTED)

    def texts(self, count):
        return {
            "heading": _("Reject applications"),
            "question": ngettext(
                "Reject this application?", "Reject these %(count)d applications?", count
            )
            % {"count": count},
            "note": _("The trainee receives an e-mail with your message."),
            "skipped_text": _("These are not awaiting a decision and will be left as they are:"),
            "action_button_text": _("Yes, reject"),
            "action_button_class": "serious",
        }

    def done_message(self, count, result):
        return ngettext(
            "%(count)d application rejected.", "%(count)d applications rejected.", count
        ) % {"count": count}

    def skipped_message(self, count):
        return ngettext(
            "%(count)d selected enrollment is not awaiting a decision and was left as it is.",
            "%(count)d selected enrollments are not awaiting a decision and were left as they are.",
            count,
        ) % {"count": count}


# --- Enrollment from a CSV file ------------------------------------------------------------
#: Previewed files waiting for "commit", in the session (shared by every app server, unlike
#: the local disk). The newest few are kept, so two tabs can preview two files.
SESSION_KEY = "lms_courses_bulk_enrollment"
SESSION_KEEP = 3
#: Files being applied by a worker: result id → file name, so only their owner sees them.
SESSION_RESULTS_KEY = "lms_courses_bulk_enrollment_results"
SESSION_KEEP_RESULTS = 10


def _pack(text: str) -> str:
    # CSV compresses well: a 2 MB file takes a few hundred kB of session.
    return base64.b64encode(zlib.compress(text.encode("utf-8"))).decode("ascii")


def _unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


class BulkEnrollmentMixin(WagtailAdminTemplateMixin):
    index_url_name = None
    import_url_name = None
    commit_url_name = None
    result_url_name = None
    template_url_name = None
    header_icon = "upload"
    page_title = gettext_lazy("Enroll from a CSV file")

    def dispatch(self, request, *args, **kwargs):
        _require_manager(request.user)
        return super().dispatch(request, *args, **kwargs)

    def courses(self):
        return selectors.courses_taught_by(self.request.user).live().order_by("path")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _label_plural()},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            index_url=reverse(self.index_url_name),
            import_url=reverse(self.import_url_name),
            commit_url=reverse(self.commit_url_name),
            template_url=reverse(self.template_url_name),
            columns=bulk.COLUMNS,
            max_rows=bulk.MAX_ROWS,
            max_megabytes=bulk.MAX_FILE_BYTES // (1024 * 1024),
        )
        return context


def _label_plural():
    return capfirst(Enrollment._meta.verbose_name_plural)


class BulkEnrollmentUploadView(BulkEnrollmentMixin, View):
    """Step 1 and 2: upload a file, see what each row would do (nothing is written)."""

    template_name = "lms/courses/admin/bulk_enrollment_upload.html"
    preview_template_name = "lms/courses/admin/bulk_enrollment_report.html"

    def get(self, request):
        initial = {}
        if request.GET.get("course", "").isdigit():
            initial["course"] = request.GET["course"]
        form = BulkEnrollmentUploadForm(courses=self.courses(), initial=initial)
        return self.render(form)

    def post(self, request):
        form = BulkEnrollmentUploadForm(request.POST, request.FILES, courses=self.courses())
        if not form.is_valid():
            return self.render(form)
        course = form.cleaned_data["course"]
        upload = form.cleaned_data["file"]
        try:
            text, rows = bulk.csv_read(
                upload.read(bulk.MAX_FILE_BYTES + 1), require_cohort=course.cohorts.exists()
            )
        except bulk.CsvFileError as exc:
            form.add_error("file", exc.messages)
            return self.render(form)
        report = bulk.bulk_enrollment_preview(course=course, actor=request.user, rows=rows)
        token = self.keep(course=course, text=text, filename=upload.name)
        context = self.get_context_data(
            report=report,
            filename=upload.name,
            commit_form=BulkEnrollmentCommitForm(initial={"token": token}),
        )
        return TemplateResponse(request, self.preview_template_name, context)

    def render(self, form):
        context = self.get_context_data(form=form)
        return TemplateResponse(self.request, self.template_name, context)

    def keep(self, *, course, text, filename):
        pending = dict(self.request.session.get(SESSION_KEY, {}))
        token = secrets.token_urlsafe(24)
        pending[token] = {
            "course": course.pk,
            "text": _pack(text),
            "filename": filename[:200],
            "at": timezone.now().isoformat(),
        }
        newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-SESSION_KEEP:]
        self.request.session[SESSION_KEY] = dict(newest)
        return token


class BulkEnrollmentCommitView(BulkEnrollmentMixin, View):
    """Step 3: apply exactly the file that was previewed, then show what happened.

    The work is a task (``tasks.apply_bulk_enrollment``): with the immediate backend it is
    done when ``enqueue`` returns and the report is shown at once; with a worker backend
    the browser goes to a page that shows the report when the worker has finished.
    """

    template_name = "lms/courses/admin/bulk_enrollment_report.html"

    def post(self, request):
        from .tasks import apply_bulk_enrollment

        form = BulkEnrollmentCommitForm(request.POST)
        pending = dict(request.session.get(SESSION_KEY, {}))
        stored = pending.pop(form.cleaned_data["token"], None) if form.is_valid() else None
        if stored is None:
            messages.error(
                request,
                _(
                    "This preview is no longer available (it was applied or has expired). "
                    "Upload the file again."
                ),
            )
            return redirect(self.import_url_name)
        request.session[SESSION_KEY] = pending
        course = get_object_or_404(self.courses(), pk=stored["course"])
        text = _unpack(stored["text"])
        try:
            bulk.csv_parse(text, require_cohort=course.cohorts.exists())
        except bulk.CsvFileError as exc:  # e.g. the course got cohorts since the preview
            messages.error(request, exc.messages[0])
            return redirect(self.import_url_name)
        result = apply_bulk_enrollment.enqueue(
            course_id=course.pk,
            actor_id=request.user.pk,
            text=text,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        if result.is_finished:
            return self.render_result(result, stored["filename"])
        results = dict(request.session.get(SESSION_RESULTS_KEY, {}))
        results[result.id] = stored["filename"]
        request.session[SESSION_RESULTS_KEY] = dict(list(results.items())[-SESSION_KEEP_RESULTS:])
        return redirect(self.result_url_name, result.id)

    def render_result(self, result, filename):
        if result.status != TaskResultStatus.SUCCESSFUL:
            logger.error(
                "Bulk enrollment %s failed:\n%s",
                result.id,
                result.errors[-1].traceback if result.errors else "",
            )
            messages.error(
                self.request,
                _(
                    "The file could not be applied. Upload it again: rows already applied "
                    "will show “no change”."
                ),
            )
            return redirect(self.import_url_name)
        report = result.return_value
        context = self.get_context_data(
            report=report,
            filename=filename,
            listing_url=reverse(self.index_url_name)
            + "?"
            + urlencode({"course": report["course"]["pk"]}),
        )
        return TemplateResponse(self.request, self.template_name, context)


class BulkEnrollmentResultView(BulkEnrollmentCommitView):
    """The report of a file a worker is applying; the page reloads itself until it is done."""

    waiting_template_name = "lms/courses/admin/bulk_enrollment_waiting.html"

    def get(self, request, result_id):
        from django_tasks.exceptions import TaskResultDoesNotExist

        from .tasks import apply_bulk_enrollment

        filename = request.session.get(SESSION_RESULTS_KEY, {}).get(result_id)
        if filename is None:  # not this person's file
            raise Http404
        try:
            result = apply_bulk_enrollment.get_result(result_id)
        except TaskResultDoesNotExist as exc:
            raise Http404 from exc
        except NotImplementedError:
            result = None  # a backend that cannot report back: the listing will show it
        if result is not None and result.is_finished:
            return self.render_result(result, filename)
        context = self.get_context_data(filename=filename, can_follow=result is not None)
        return TemplateResponse(request, self.waiting_template_name, context)

    def post(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["GET"])


class BulkEnrollmentTemplateView(BulkEnrollmentMixin, View):
    """An empty CSV file with the column names, that Excel opens correctly (UTF-8 with BOM)."""

    def get(self, request):
        response = HttpResponse(
            "\ufeff" + ",".join(bulk.COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="enrollments-template.csv"'
        return response


# --- The viewset ------------------------------------------------------------------------------
class EnrollmentViewSet(RecordViewSet):
    """受講登録 in the admin menu: /admin/enrollments/ and its views. No add, edit or delete:
    enrollments are made by enrolling (or from CSV) and are never deleted."""

    model = Enrollment
    name = "enrollments"
    icon = "clipboard-list"
    menu_order = 205
    index_view_class = EnrollmentIndexView
    history_view_class = EnrollmentHistoryView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(import_url_name=self.get_url_name("import"), **kwargs)

    def bulk_enrollment_view(self, view_class):
        return view_class.as_view(
            index_url_name=self.get_url_name("index"),
            import_url_name=self.get_url_name("import"),
            commit_url_name=self.get_url_name("import_commit"),
            result_url_name=self.get_url_name("import_result"),
            template_url_name=self.get_url_name("import_template"),
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("import/", self.bulk_enrollment_view(BulkEnrollmentUploadView), name="import"),
            path(
                "import/commit/",
                self.bulk_enrollment_view(BulkEnrollmentCommitView),
                name="import_commit",
            ),
            path(
                "import/result/<str:result_id>/",
                self.bulk_enrollment_view(BulkEnrollmentResultView),
                name="import_result",
            ),
            path(
                "import/template.csv",
                self.bulk_enrollment_view(BulkEnrollmentTemplateView),
                name="import_template",
            ),
        ]

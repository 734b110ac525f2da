"""The gradebook in the Wagtail admin: an index of courses, a course's page, its exports.

URLs (``wagtail_hooks.py``), all under /admin/reports/gradebook/:

- ``""``: the courses (and their cohorts) the user may see;
- ``<course_id>/?cohort=&state=&q=&sort=&p=``: the gradebook, 50 rows a page;
- ``<course_id>/export/csv/`` and ``.../xlsx/`` with the same filters: every row.

Who: instructors (the courses they teach, ``courses_taught_by``: named on the course or
on one of its cohorts) and superusers (every course). Anyone else gets 403; a course the
instructor does not teach is a 404, on the exports too.
"""

import datetime
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from lms.accounts.roles import is_instructor
from lms.courses.models import Cohort, CourseInstructor
from lms.courses.selectors import courses_taught_by

from .forms import GradebookFilterForm
from .selectors import gradebook, gradebook_columns, rows_filter, rows_sort

ROWS_PER_PAGE = 50


class InstructorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _courses_of(user):
    """``courses_taught_by(user)``, each marked ``gb_named`` when the user is named on the
    course itself (then they see all its cohorts) rather than on some of its cohorts."""
    return courses_taught_by(user).annotate(
        gb_named=Exists(CourseInstructor.objects.filter(page_id=OuterRef("pk"), user_id=user.pk))
    )


def _cohorts_of(user, course_ids):
    """The cohorts of these courses that ``user`` may see: all of a course they are named
    on (or any, for a superuser), else the cohorts naming them. One query."""
    cohorts = Cohort.objects.filter(course_id__in=course_ids).order_by("starts_on", "pk")
    if user.is_superuser:
        return list(cohorts)
    return list(
        cohorts.filter(
            Q(course_id__in=CourseInstructor.objects.filter(user_id=user.pk).values("page_id"))
            | Q(instructors=user)
        ).distinct()
    )


class GradebookIndexView(InstructorOnlyMixin, WagtailAdminTemplateMixin, View):
    """成績一覧: the courses the user may see, each with its cohorts (two queries)."""

    template_name = "lms/reports/gradebook/index.html"
    header_icon = "table"

    def get_page_title(self):
        return _("Gradebook")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request):
        user = request.user
        courses = list(_courses_of(user).order_by("path"))
        cohorts = {}
        for cohort in _cohorts_of(user, [c.pk for c in courses]):
            cohorts.setdefault(cohort.course_id, []).append(cohort)
        context = self.get_context_data(
            courses=[(course, cohorts.get(course.pk, [])) for course in courses]
        )
        return TemplateResponse(request, self.template_name, context)


class _GradebookMixin(InstructorOnlyMixin):
    """The course (404 unless the user may see it), its cohorts and the valid filters."""

    def load(self, request, course_id):
        user = request.user
        self.course = get_object_or_404(_courses_of(user), pk=course_id)
        self.cohorts = _cohorts_of(user, [self.course.pk])
        # Named on some cohorts only: those cohorts' trainees, as in the enrollment admin.
        scope = None if user.is_superuser or self.course.gb_named else [c.pk for c in self.cohorts]
        self.form = GradebookFilterForm(request.GET or None, cohorts=self.cohorts)
        if self.form.is_bound:
            self.form.is_valid()
        self.filters = self.form.filters()
        self.book = gradebook(
            course=self.course,
            cohort=self.filters["cohort"],
            cohort_ids=scope,
            search=self.filters["search"],
        )
        self.columns = gradebook_columns(self.book)
        rows = rows_filter(self.book.rows, state=self.filters["state"])
        self.rows, self.sort = rows_sort(rows, self.columns, self.filters["sort"])

    def query_string(self, **changes) -> str:
        """The current filters (valid ones only) with ``changes``, as ``?a=b``."""
        params = {
            "cohort": self.filters["cohort"].pk if self.filters["cohort"] else "",
            "state": self.filters["state"],
            "q": self.filters["search"],
            "sort": self.sort,
        }
        params.update(changes)
        params = {key: value for key, value in params.items() if value not in ("", None)}
        return "?" + urlencode(params) if params else ""


class GradebookView(_GradebookMixin, WagtailAdminTemplateMixin, View):
    """A course's gradebook, one page of rows; every figure comes from ``gradebook``."""

    template_name = "lms/reports/gradebook/gradebook.html"
    header_icon = "table"

    def get_page_title(self):
        return _("Gradebook")

    def get_page_subtitle(self):
        return self.course.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("gradebook:index"), "label": _("Gradebook")},
            {"url": "", "label": self.course.title},
        ]

    def get(self, request, course_id):
        self.load(request, course_id)
        paginator = Paginator(self.rows, ROWS_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        headers = []
        for column in self.columns:
            if self.sort == column.key:
                direction, next_key = "ascending", f"-{column.key}"
            elif self.sort == f"-{column.key}":
                direction, next_key = "descending", column.key
            else:
                direction, next_key = "", column.key
            headers.append(
                {
                    "column": column,
                    "sort_url": self.query_string(sort=next_key),
                    "direction": direction,
                }
            )
        base = reverse("gradebook:course", args=[self.course.pk])
        context = self.get_context_data(
            course=self.course,
            cohorts=self.cohorts,
            form=self.form,
            book=self.book,
            headers=headers,
            page=page,
            rows=self.display_rows(page.object_list),
            total=len(self.rows),
            previous_url=(
                self.query_string(p=page.previous_page_number()) if page.has_previous() else ""
            ),
            next_url=self.query_string(p=page.next_page_number()) if page.has_next() else "",
            csv_url=reverse("gradebook:export", args=[self.course.pk, "csv"]) + self.query_string(),
            xlsx_url=reverse("gradebook:export", args=[self.course.pk, "xlsx"])
            + self.query_string(),
            reset_url=base,
            fieldwork_url=reverse("fieldwork_entries:summary", args=[self.course.pk])
            + (f"?cohort={self.filters['cohort'].pk}" if self.filters["cohort"] else ""),
        )
        return TemplateResponse(request, self.template_name, context)

    def display_rows(self, rows):
        """The page's rows with their links: the enrollment's history, the trainee's attempts
        at each quiz, their fieldwork entries, the certificate (reversed once, not per row).

        The quiz cells (most of the table) are built here with ``format_html``, one string
        per row: the same markup as template tags would make, at a fraction of the cost of
        rendering 10 tags per cell."""
        enrollment_url = reverse("enrollments:history", args=[0])[:-2]
        certificate_url = reverse("certificates_admin:detail", args=[0])[:-2]
        attempts_url = reverse("quiz_attempts:index")
        fieldwork_url = f"{reverse('fieldwork_entries:index')}?course={self.course.pk}&trainee="
        passed, not_passed = _("Passed"), _("Not passed")
        awaiting, no_attempt = _("Awaiting grading"), _("No attempt")
        items = []
        for row in rows:
            email = urlencode({"q": row.email})
            cells = []
            for quiz in self.book.quizzes:
                result = row.quiz(quiz.id)
                if not result.attempts:
                    cells.append(
                        format_html(
                            '<td><span class="w-sr-only">{}</span>'
                            '<span aria-hidden="true">—</span></td>',
                            no_attempt,
                        )
                    )
                    continue
                score = f"{result.best_text}%" if result.raw_best is not None else awaiting
                cells.append(
                    format_html(
                        '<td><a href="{}?quiz={}&amp;{}">{}</a> {}</td>',
                        attempts_url,
                        quiz.id,
                        email,
                        score,
                        passed if result.passed else not_passed,
                    )
                )
            items.append(
                {
                    "row": row,
                    "enrollment_url": f"{enrollment_url}{row.enrollment_id}/",
                    "certificate_url": f"{certificate_url}{row.certificate_id}/",
                    "fieldwork_url": f"{fieldwork_url}{row.user_id}",
                    "quiz_cells": format_html_join("", "{}", ((cell,) for cell in cells)),
                }
            )
        return items


class GradebookExportView(_GradebookMixin, SpreadsheetExportMixin, View):
    """Every row of the gradebook (same filters and order) as CSV (streamed) or XLSX."""

    def get(self, request, course_id, export_format):
        if export_format not in self.FORMATS:
            raise Http404
        self.load(request, course_id)
        self.cells = [cell for column in self.columns for cell in column.exports]
        self.list_export = [f"c{index}" for index in range(len(self.cells))]
        self.headings = dict(zip(self.list_export, (h for h, _getter in self.cells), strict=True))
        return self.as_spreadsheet(self.rows, export_format)

    def get_filename(self):
        # The course id, not its slug: a Japanese slug cannot go in a header as it is.
        return f"gradebook-course{self.course.pk}-{timezone.localdate():%Y%m%d}"

    def get_heading(self, queryset, field):
        return self.headings[field]

    def to_row_dict(self, item):
        return OrderedDict(
            (name, getter(item))
            for name, (_heading, getter) in zip(self.list_export, self.cells, strict=True)
        )

    def preprocess_field_value(self, field, value, export_format):
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            if export_format == self.FORMAT_XLSX:
                return local.replace(tzinfo=None)
            return local.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, Decimal):
            normal = value.normalize()
            if export_format == self.FORMAT_XLSX:
                return normal
            return f"{normal:f}"
        if (
            export_format == self.FORMAT_CSV
            and isinstance(value, str)
            and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        ):
            # A name typed as a formula must stay text when a spreadsheet opens the file.
            return "'" + value
        return value if export_format == self.FORMAT_XLSX else str(value)

    def write_xlsx(self, queryset, output):
        """As Wagtail's, but plain values are appended as they are (a cell object only for
        a date or a text that looks like a formula): a third faster for 18,000 cells."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True, iso_dates=True)
        sheet = workbook.create_sheet(title=_("Gradebook")[:31])
        sheet.append([self.get_heading(queryset, field) for field in self.list_export])
        for item in queryset:
            values = []
            for field, value in self.to_row_dict(item).items():
                value = self.preprocess_field_value(field, value, self.FORMAT_XLSX)
                if isinstance(value, str) and value.startswith("="):
                    value = WriteOnlyCell(sheet, value)
                    value.data_type = "s"  # text, never a formula
                elif isinstance(value, datetime.datetime):
                    value = WriteOnlyCell(sheet, value)
                    value.number_format = "yyyy-mm-dd hh:mm"
                values.append(value)
            sheet.append(values)
        workbook.save(output)

    def stream_csv(self, queryset):
        # A byte-order mark, so that Excel reads the UTF-8 (and the Japanese) correctly.
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

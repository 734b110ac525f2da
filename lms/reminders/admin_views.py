"""Reports → Reminders sent: a read-only listing of ``ReminderSent`` in the Wagtail admin.

Who sees what is the rule of the enrollment admin and the gradebook
(``lms.courses.selectors.enrollments_visible_to``): superusers every reminder, an
instructor the reminders of the courses naming them, and an instructor named only on a
cohort those of that cohort's trainees. Anybody else is refused. The rows come with their
trainee, course and cohort in one query, whatever the page's length.
"""

import django_filters
from django.urls import reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from lms.courses.admin_permissions import InstructorPolicy
from lms.courses.models import Enrollment
from lms.courses.selectors import courses_taught_by, enrollments_visible_to

from .models import ReminderSent

INDEX_URL_NAME = "reminders_sent_index"
RESULTS_URL_NAME = "reminders_sent_results"


class ReminderSentPolicy(InstructorPolicy):
    """Instructors and superusers view reminders, of the enrollments they may see."""

    actions = frozenset({"view"})

    def visible(self, user):
        return ReminderSent.objects.filter(
            enrollment_id__in=enrollments_visible_to(user).values("pk")
        )


def _label(name, model=ReminderSent):
    return capfirst(str(model._meta.get_field(name).verbose_name))


class ReminderSentFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label=_label("course", Enrollment),
        queryset=lambda request: courses_taught_by(request.user).order_by("path"),
        field_name="enrollment__course",
    )
    kind = django_filters.ChoiceFilter(label=_label("kind"), choices=ReminderSent.Kind.choices)

    class Meta:
        model = ReminderSent
        fields = ["course", "kind"]


class ReminderSentReportView(ReportView):
    """送信したリマインダー: newest first, filtered by course and kind."""

    model = ReminderSent
    permission_required = "view"
    filterset_class = ReminderSentFilterSet
    page_title = gettext_lazy("Reminders sent")
    header_icon = "mail"
    index_url_name = INDEX_URL_NAME
    index_results_url_name = RESULTS_URL_NAME
    default_ordering = "-created_at"
    verbose_name = ReminderSent._meta.verbose_name
    verbose_name_plural = ReminderSent._meta.verbose_name_plural

    def get_queryset(self):
        self.queryset = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        ).select_related("enrollment__user", "enrollment__course", "enrollment__cohort")
        return super().get_queryset()

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        # A stable order for pagination when many rows share a value.
        return queryset.order_by(*queryset.query.order_by, "-pk")

    @cached_property
    def columns(self):
        return [
            DateColumn(
                "created_at",
                label=_label("created_at"),
                accessor="created_at",
                sort_key="created_at",
            ),
            Column(
                "trainee",
                label=_label("user", Enrollment),
                accessor=lambda r: r.enrollment.user.get_full_name(),
                sort_key="enrollment__user__last_name_kana",
            ),
            Column(
                "course",
                label=_label("course", Enrollment),
                accessor=lambda r: r.enrollment.course.title,
                sort_key="enrollment__course__title",
            ),
            Column(
                "cohort",
                label=_label("cohort", Enrollment),
                accessor=lambda r: r.enrollment.cohort.name if r.enrollment.cohort else "",
            ),
            Column("kind", label=_label("kind"), accessor="get_kind_display", sort_key="kind"),
            Column(
                "period",
                label=_label("period"),
                accessor=lambda r: formats.date_format(r.period),
                sort_key="period",
            ),
        ]


def index_url() -> str:
    return reverse(INDEX_URL_NAME)

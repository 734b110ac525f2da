"""The cohort dashboard in the Wagtail admin (Reports → Cohort dashboards).

- ``/admin/reports/cohorts/``: the courses and cohorts the user may see;
- ``/admin/reports/cohorts/<cohort_id>/``: one cohort's funnel, weekly activity and
  trainees at risk;
- ``/admin/reports/cohorts/course/<course_id>/``: the same for every trainee of a course.

Instructors see the courses they teach, superusers all (``selectors.cohorts_visible_to``);
anybody else is refused, and an id outside the user's courses is a 404. The views only
turn the selectors' figures into labels, charts and tables.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.accounts.roles import is_instructor

from . import charts, selectors

INDEX_URL_NAME = "reports_cohorts_index"
COHORT_URL_NAME = "reports_cohorts_cohort"
COURSE_URL_NAME = "reports_cohorts_course"
ENROLLMENT_URL_NAME = "enrollments:history"

STAGE_LABELS = {
    "enrolled": gettext_lazy("Enrolled (holding a seat)"),
    "started": gettext_lazy("Started learning"),
    "half_lessons": gettext_lazy("Half the required lessons"),
    "all_lessons": gettext_lazy("All required lessons"),
    "quizzes": gettext_lazy("Required quizzes passed"),
    "fieldwork": gettext_lazy("Fieldwork hours met"),
    "certified": gettext_lazy("Certificate issued"),
}
SERIES_LABELS = (
    ("lessons", gettext_lazy("Lesson completions")),
    ("quizzes", gettext_lazy("Quiz submissions")),
    ("fieldwork", gettext_lazy("Fieldwork entries submitted")),
)


class InstructorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IndexView(InstructorOnlyMixin, WagtailAdminTemplateMixin, View):
    """The courses and cohorts the user may see, each linking to its dashboard."""

    template_name = "lms/reports/cohorts/index.html"
    page_title = gettext_lazy("Cohort dashboards")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request):
        context = self.get_context_data(courses=selectors.dashboard_index(request.user))
        return TemplateResponse(request, self.template_name, context)


class DashboardView(InstructorOnlyMixin, WagtailAdminTemplateMixin, View):
    """One cohort's (or one course's) funnel, weekly activity and trainees at risk."""

    template_name = "lms/reports/cohorts/dashboard.html"
    header_icon = "group"

    def get_page_title(self):
        return _("Cohort dashboard")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(INDEX_URL_NAME), "label": IndexView.page_title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        board = self.dashboard
        if board.cohort is not None:
            return f"{board.course.title} {board.cohort.name}"
        return _("%(course)s (all trainees)") % {"course": board.course.title}

    def get_today(self):
        """The day the figures are for (tests set another)."""
        return timezone.localdate()

    def get(self, request, cohort_id=None, course_id=None):
        today = self.get_today()
        if cohort_id is not None:
            cohort = get_object_or_404(
                selectors.cohorts_visible_to(request.user).select_related("course"),
                pk=cohort_id,
            )
            self.dashboard = selectors.cohort_dashboard(cohort=cohort, today=today)
        else:
            course = get_object_or_404(selectors.courses_visible_to(request.user), pk=course_id)
            self.dashboard = selectors.course_dashboard(course=course, today=today)
        context = self.get_context_data(**dashboard_context(self.dashboard))
        return TemplateResponse(request, self.template_name, context)


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _week_label(day) -> str:
    return _("Week of %(date)s") % {"date": _date(day)}


def _stage_value(count: int, percent: int) -> str:
    return _("%(count)s (%(percent)s%%)") % {"count": count, "percent": percent}


def _missing_text(result) -> str:
    """What is missing, in an instructor's words (the trainee-facing messages say "you")."""
    parts = []
    if result.lessons_completed < result.lessons_total:
        parts.append(
            _("lessons %(done)s of %(total)s")
            % {"done": result.lessons_completed, "total": result.lessons_total}
        )
    if result.quizzes_passed < result.quizzes_total:
        parts.append(
            _("quizzes passed %(done)s of %(total)s")
            % {"done": result.quizzes_passed, "total": result.quizzes_total}
        )
    if result.missing_hours > 0:
        parts.append(
            _("%(hours)s more fieldwork hours") % {"hours": f"{result.missing_hours.normalize():f}"}
        )
    return _(", ").join(parts)


def risk_reasons(risk) -> list[str]:
    """The reasons a trainee is listed as at risk, one sentence each."""
    reasons = []
    if risk.inactive_days is not None:
        reasons.append(
            ngettext(
                "No activity for %(days)d day.",
                "No activity for %(days)d days.",
                risk.inactive_days,
            )
            % {"days": risk.inactive_days}
        )
    if risk.deadline is not None:
        if risk.days_left == 0:
            sentence = _("Deadline %(date)s is today; missing: %(missing)s.")
        else:
            sentence = ngettext(
                "Deadline %(date)s in %(days)d day; missing: %(missing)s.",
                "Deadline %(date)s in %(days)d days; missing: %(missing)s.",
                risk.days_left,
            )
        reasons.append(
            sentence
            % {
                "date": _date(risk.deadline),
                "days": risk.days_left,
                "missing": _missing_text(risk.eligibility),
            }
        )
    return reasons


def dashboard_context(board) -> dict:
    """Labels, charts and table rows for ``templates/lms/reports/cohorts/dashboard.html``."""
    stages = [
        {
            "label": STAGE_LABELS[stage.key],
            "count": stage.count,
            "percent": stage.percent,
            "value_label": _stage_value(stage.count, stage.percent),
        }
        for stage in board.funnel
    ]
    funnel_title = _("Completion funnel")
    funnel_svg = charts.funnel_svg(
        [charts.Bar(str(s["label"]), s["count"], s["value_label"]) for s in stages],
        title=funnel_title,
        description=_(
            "Trainees who reached each stage and every stage before it, out of %(count)s "
            "enrolled. The same figures are in the table below."
        )
        % {"count": board.enrolled},
    )
    weeks = [
        {
            "iso": week.iso,
            "label": _week_label(week.start),
            "lessons": week.lessons,
            "quizzes": week.quizzes,
            "fieldwork": week.fieldwork,
        }
        for week in board.weeks
    ]
    weekly_svg = None
    if weeks:
        weekly_svg = charts.columns_svg(
            [formats.date_format(week.start, "n/j") for week in board.weeks],
            [
                charts.Series(str(label), [getattr(week, key) for week in board.weeks])
                for key, label in SERIES_LABELS
            ],
            column_titles=[week["label"] for week in weeks],
            title=_("Weekly activity"),
            description=_(
                "Lesson completions, quiz submissions and fieldwork entries submitted per "
                "week, from %(first)s to %(last)s, one panel each. The same figures are in "
                "the table below."
            )
            % {"first": _date(board.weeks[0].start), "last": _date(board.weeks[-1].start)},
        )
    at_risk = [
        {
            "name": risk.enrollment.user.get_full_name() or risk.enrollment.user.email,
            "url": reverse(ENROLLMENT_URL_NAME, args=[risk.enrollment.pk]),
            "reasons": risk_reasons(risk),
            "last_activity": risk.last_activity,
        }
        for risk in board.at_risk
    ]
    return {
        "board": board,
        "stages": stages,
        "funnel_title": funnel_title,
        "funnel_svg": funnel_svg,
        "weeks": weeks,
        "series_labels": [label for _key, label in SERIES_LABELS],
        "weekly_svg": weekly_svg,
        "at_risk": at_risk,
        "inactive_days": selectors.INACTIVE_DAYS,
        "deadline_days": selectors.DEADLINE_DAYS,
        "index_url": reverse(INDEX_URL_NAME),
    }

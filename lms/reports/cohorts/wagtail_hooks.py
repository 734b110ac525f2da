"""The cohort dashboard's place in the Wagtail admin: its URLs and a Reports menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.accounts.roles import is_instructor

from . import views


class InstructorsMenuItem(MenuItem):
    """Shown to instructors and superusers (the views refuse anybody else)."""

    def is_shown(self, request):
        return is_instructor(request.user)


@hooks.register("register_admin_urls")
def register_cohort_dashboard_urls():
    dashboard = views.DashboardView.as_view()
    return [
        path("reports/cohorts/", views.IndexView.as_view(), name=views.INDEX_URL_NAME),
        path("reports/cohorts/<int:cohort_id>/", dashboard, name=views.COHORT_URL_NAME),
        path("reports/cohorts/course/<int:course_id>/", dashboard, name=views.COURSE_URL_NAME),
    ]


@hooks.register("register_reports_menu_item")
def register_cohort_dashboard_menu_item():
    return InstructorsMenuItem(
        gettext_lazy("Cohort dashboards"),
        reverse(views.INDEX_URL_NAME),
        name="cohort-dashboards",
        icon_name="group",
        order=150,
    )

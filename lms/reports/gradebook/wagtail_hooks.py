"""The gradebook in Wagtail's admin: its URLs and its item in the Reports menu."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.accounts.roles import is_instructor

from . import views


class GradebookMenuItem(MenuItem):
    """Shown to instructors and superusers only (the views refuse anyone else too)."""

    def is_shown(self, request):
        return is_instructor(request.user)


@hooks.register("register_admin_urls")
def register_gradebook_urls():
    urls = [
        path("", views.GradebookIndexView.as_view(), name="index"),
        path("<int:course_id>/", views.GradebookView.as_view(), name="course"),
        path(
            "<int:course_id>/export/<str:export_format>/",
            views.GradebookExportView.as_view(),
            name="export",
        ),
    ]
    return [path("reports/gradebook/", include((urls, "gradebook"), namespace="gradebook"))]


@hooks.register("register_reports_menu_item")
def register_gradebook_menu_item():
    return GradebookMenuItem(
        _("Gradebook"),
        reverse("gradebook:index"),
        name="gradebook",
        icon_name="table",
        order=100,
    )

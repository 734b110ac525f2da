"""Project-wide middleware."""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class ProtectedRecordsMiddleware:
    """Turn a refused delete in the admin into a message instead of a server error.

    Records that trainees' enrollments, progress, answers and certificates point at are
    protected by the database (on_delete=PROTECT). When an administrator tries to delete
    one, Wagtail's generic delete views let the ProtectedError escape; here it becomes an
    explanation and the administrator goes back to where they were.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProtectedError) or not request.path.startswith("/admin/"):
            return None
        kinds = sorted({str(obj._meta.verbose_name) for obj in exception.protected_objects})
        messages.error(
            request,
            _(
                "This cannot be deleted because trainees' records depend on it (%(kinds)s). "
                "Deactivate or unpublish it instead."
            )
            % {"kinds": "、".join(kinds)},
        )
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/admin/"
        if back.rstrip("/").endswith("/delete") or "/delete/" in back:
            back = "/admin/"
        return redirect(back)

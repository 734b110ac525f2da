"""A person's own data as a file, and the link to the privacy policy page.

The export has no id in its URL: it is always the signed-in person's own data.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Locale

from . import services, throttle
from .models import PrivacySettings


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def export(request):
    """GET: what the file holds, with the download button. POST: the ZIP, or, past the
    limit (``throttle``), the same page with when the person can download again (429)."""
    if request.method == "GET":
        return TemplateResponse(request, "lms/privacy/export.html", {})
    allowance = throttle.export_consume(user=request.user)
    if not allowance.allowed:
        return TemplateResponse(
            request,
            "lms/privacy/export.html",
            {"refusal": _refusal_message(allowance)},
            status=429,
            headers={"Retry-After": str(allowance.retry_after)},
        )
    try:
        archive = services.user_data_export(
            user=request.user, base_url=request.build_absolute_uri("/").rstrip("/")
        )
    except Exception:
        throttle.export_give_back(user=request.user, allowance=allowance)
        raise
    filename = f"academy-my-data-{timezone.localdate():%Y%m%d}.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _refusal_message(allowance) -> str:
    minutes = max(1, round(allowance.rate.duration / 60))
    limit = ngettext(
        "You can download your data up to %(amount)s time in %(minutes)s minutes.",
        "You can download your data up to %(amount)s times in %(minutes)s minutes.",
        allowance.rate.amount,
    ) % {"amount": allowance.rate.amount, "minutes": minutes}
    again = _("You can download it again at %(time)s or later; your data is kept as it is.") % {
        "time": formats.date_format(allowance.retry_at, "DATETIME_FORMAT")
    }
    return f"{limit} {again}"


@require_GET
def policy(request):
    """/privacy/policy/: the privacy policy page chosen in the settings, in the reader's
    language when it has been translated. (The footer links here, so rendering the footer
    costs no query.)"""
    page = PrivacySettings.load(request_or_site=request).policy_page
    if page is None or not page.live:
        raise Http404
    locale = Locale.objects.filter(language_code=get_language()).first()
    if locale is not None and locale.pk != page.locale_id:
        translated = page.get_translation_or_none(locale)
        if translated is not None and translated.live:
            page = translated
    url = page.get_url(request=request)
    if not url:
        raise Http404
    return redirect(url)

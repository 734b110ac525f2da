"""Views of the method library outside the page tree: the locked pages and "my list".

Thin: check the request, call a service or a selector, redirect or render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import library, services
from .models import LibraryPage
from .visibility import PARTNERS_TRAINEES, can_save, visibilities_for


def library_page_locked(request, page):
    """The 403 page of a method or case study the reader may not see.

    It says what the page is (title and summary only, never the body) and how to get access:
    log in, or become a partner (the index page's text, editable in the admin).
    """
    user = request.user
    context = {
        "page": page,
        "self": page,
        "index_page": library.index_of(page),
        "signed_in": user.is_authenticated,
        "trainees_may_read": page.visibility == PARTNERS_TRAINEES,
        "request": request,
    }
    return TemplateResponse(request, "pages/library_locked.html", context, status=403)


def document_locked(request, document):
    """The 403 page of a document the reader may not download."""
    context = {
        "document": document,
        "index_page": library.default_index(),
        "signed_in": request.user.is_authenticated,
        "trainees_may_read": document.visibility == PARTNERS_TRAINEES,
    }
    return TemplateResponse(request, "pages/library_document_locked.html", context, status=403)


def _back(request, page):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(page.get_url(request) or "/")


@require_POST
@login_required
def save_item(request, page_id):
    page = get_object_or_404(LibraryPage.objects.live(), pk=page_id)
    try:
        services.saved_item_add(user=request.user, page=page)
    except PermissionDenied as exc:
        return TemplateResponse(
            request, "pages/library_saved_refused.html", {"message": str(exc)}, status=403
        )
    messages.success(request, _("Saved to your list."))
    return _back(request, page)


@require_POST
@login_required
def remove_item(request, page_id):
    page = get_object_or_404(LibraryPage, pk=page_id)
    services.saved_item_remove(user=request.user, page=page)
    messages.success(request, _("Removed from your list."))
    return _back(request, page)


@require_GET
@login_required
def saved_list(request):
    """マイリスト: the methods and case studies I saved and can still read."""
    if not can_save(request.user):
        return TemplateResponse(
            request,
            "pages/library_saved_refused.html",
            {
                "message": _("Saving to a list is for partners and trainees."),
                "index_page": library.default_index(),
            },
            status=403,
        )
    context = {
        "saved_items": library.saved_items_for(request.user),
        "reader_visibilities": visibilities_for(request.user),
        "index_page": library.default_index(),
    }
    return TemplateResponse(request, "pages/library_saved_list.html", context)


SEARCH_KINDS = {"method", "case_study", "course"}
SEARCH_PAGE_SIZE = 20


@require_GET
def search(request):
    """Search the method library and the courses, in Japanese, within what the reader may see.

    Filters (kind, theme) combine with the words. In Japanese only Japanese pages are
    searched; in English, both languages (most content is written in Japanese).
    """
    from django.core.paginator import Paginator
    from django.utils.translation import get_language

    from . import textsearch
    from .models import Theme
    from .visibility import visibilities_for

    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    theme = request.GET.get("theme", "")
    filters = {}
    if kind in SEARCH_KINDS:
        filters["kind"] = kind
    if theme:
        filters["theme"] = theme
    language = "ja" if (get_language() or "ja").startswith("ja") else None
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    results = None
    page_obj = None
    if query:
        options = {
            "visibilities": set(visibilities_for(request.user)),
            "language": language,
            "filters": filters or None,
            "limit": SEARCH_PAGE_SIZE,
        }
        results = textsearch.search(query, offset=(page_number - 1) * SEARCH_PAGE_SIZE, **options)
        page_obj = Paginator(range(results.total), SEARCH_PAGE_SIZE).get_page(page_number)
        if results.total and page_obj.number != page_number:
            # A page past the end (an old link): show the last page instead of "nothing".
            results = textsearch.search(
                query, offset=(page_obj.number - 1) * SEARCH_PAGE_SIZE, **options
            )
    context = {
        "query": query,
        "kind": kind,
        "theme": theme,
        "themes": Theme.objects.all(),
        "results": results,
        "page_obj": page_obj,
    }
    return TemplateResponse(request, "pages/search_results.html", context)


def serve_document(request, document_id, document_filename):
    """Wagtail's document download, marked private when the document is not public.

    The visibility check itself is the ``before_serve_document`` hook; this wrapper only
    keeps shared caches (a proxy, a CDN) from storing a partner-only file.
    """
    from django.shortcuts import get_object_or_404
    from django.utils.cache import patch_cache_control
    from wagtail.documents import get_document_model
    from wagtail.documents.views.serve import serve

    response = serve(request, document_id, document_filename)
    document = get_object_or_404(get_document_model(), id=document_id)
    if getattr(document, "visibility", "public") != "public":
        patch_cache_control(response, private=True)
    if response.get("Content-Encoding") == "None":
        del response["Content-Encoding"]
    return response

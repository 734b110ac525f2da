"""Template tags for the site shell: navigation and the language switcher."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

register = template.Library()


def _home_pages(request):
    """The site's home page in every language, keyed by language code (cached per request)."""
    if request is None:
        return {}
    cached = getattr(request, "_rpa_home_pages", None)
    if cached is None:
        site = Site.find_for_request(request)
        cached = {}
        if site is not None:
            cached = _translations(site.root_page)
        request._rpa_home_pages = cached
    return cached


def _translations(page):
    """Live versions of ``page`` in each language, in one query."""
    pages = Page.objects.filter(translation_key=page.translation_key, live=True).select_related(
        "locale"
    )
    return {p.locale.language_code: p for p in pages}


@register.inclusion_tag("components/navigation.html", takes_context=True)
def main_navigation(context):
    """The live children of this language's home page that are marked "show in menus"."""
    request = context.get("request")
    home = _home_pages(request).get(get_language())
    items = list(home.get_children().live().in_menu()) if home is not None else []
    current = context.get("page")
    return {"items": items, "current": current, "request": request}


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this same page in each language.

    A Wagtail page links to its translation (or to the home page of that language when
    there is none yet); any other view links to the same URL under that language's prefix.
    """
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = _translations(page) if isinstance(page, Page) else {}
    homes = _home_pages(request) if translations else {}
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        target = translations.get(code) or homes.get(code)
        if target is not None:
            url = target.get_url(request)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}

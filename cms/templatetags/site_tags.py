"""Template tags for the site shell: navigation and the language switcher.

Both are cached (in the shared cache) per site, language and page, under a version
number that every publish, unpublish, move or delete bumps (cms/signals.py), so a page
view costs no query for them once warm.
"""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

from cms.signals import tree_version

register = template.Library()
CACHE_SECONDS = 60 * 60


def _site(request):
    return Site.find_for_request(request) if request is not None else None


def _translation_urls(page, request) -> dict[str, str]:
    """URLs of the live versions of ``page`` in each language, keyed by language code."""
    site = _site(request)
    key = f"cms:translations:{tree_version()}:{site.pk if site else 0}:{page.translation_key}"
    urls = cache.get(key)
    if urls is None:
        pages = Page.objects.filter(translation_key=page.translation_key, live=True).select_related(
            "locale"
        )
        urls = {p.locale.language_code: p.get_url(request) for p in pages}
        cache.set(key, urls, CACHE_SECONDS)
    return urls


def _home_urls(request) -> dict[str, str]:
    site = _site(request)
    if site is None:
        return {}
    return _translation_urls(site.root_page, request)


@register.inclusion_tag("components/navigation.html", takes_context=True)
def main_navigation(context):
    """The live children of this language's home page that are marked "show in menus"."""
    request = context.get("request")
    site = _site(request)
    language = get_language()
    items = []
    if site is not None:
        key = f"cms:menu:{tree_version()}:{site.pk}:{language}"
        items = cache.get(key)
        if items is None:
            home = site.root_page.localized  # this language's home, or the default one
            items = [
                {"pk": child.pk, "title": child.title, "url": child.get_url(request)}
                for child in home.get_children().live().in_menu()
            ]
            cache.set(key, items, CACHE_SECONDS)
    current = context.get("page")
    return {"items": items, "current_pk": getattr(current, "pk", None)}


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this same page in each language.

    A Wagtail page links to its translation (or to the home page of that language when
    there is none yet); any other view links to the same URL under that language's prefix.
    """
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = _translation_urls(page, request) if isinstance(page, Page) else {}
    homes = _home_urls(request) if translations else {}
    links = []
    for code, name in settings.LANGUAGES:
        url = translations.get(code) or homes.get(code)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}

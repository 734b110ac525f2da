"""Every URL that is not public by design refuses an anonymous visitor.

The test walks the whole URL configuration (ours, Wagtail's admin, allauth's), so a view
added later without a login check fails here even if nobody wrote a test for it.
"""

import itertools
import re
import uuid

import pytest
from django.conf import settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils import translation

pytestmark = pytest.mark.django_db

# Public by design, by URL name: the site's pages and search, health checks, the pages
# that let a visitor sign up, log in or recover an account, Wagtail's own login and
# password-recovery pages, and document links (documents check their own visibility:
# tests/cms/test_library_matrix.py).
PUBLIC = {
    None,  # sitemap.xml
    "healthz",
    "search",
    "wagtail_serve",
    "wagtaildocs_serve",
    "wagtaildocs_authenticate_with_password",
    "wagtailcore_authenticate_with_password",
    "wagtailcore_login",
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_login_code",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",  # the admin's icon sprite, the same for everyone
    # A fieldwork supervisor confirms without an account: the signed one-time link is the
    # credential (tests/fieldwork/ test what it shows and refuses).
    "fieldwork:supervisor",
    # Anyone may verify a certificate by its code (tests/certificates/ test what it shows).
    "certificates:verify_form",
    "certificates:verify",
    # Reminder e-mails' unsubscribe link: the signed link is the credential, and the page
    # asks for a confirming POST (tests/reminders/ test what it accepts and refuses).
    "reminders:unsubscribe",
    # The privacy policy (a CMS page chosen in the site settings) is for everyone; without
    # one chosen it answers 404 (tests/privacy/ test both).
    "privacy:policy",
}

_CONVERTERS = {"int": "1", "uuid": str(uuid.UUID(int=1)), "path": "x/y"}
_CANDIDATES = ["1", "x", "1-x", "live", "latest", ""]
# A regular-expression group, possibly named, one level of nested parentheses at most.
_GROUP = re.compile(r"\((?:\?P<\w+>)?(?:[^()]|\([^()]*\))*\)[*+?]?")


def _sample_paths(route: str):
    """Candidate paths for ``route``: converters get a typical value; each regex group
    tries a few values (the caller keeps the first that resolves back to the route)."""
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _CONVERTERS.get(m.group(1), "x"), route)
    pieces = _GROUP.split(route)
    groups = len(pieces) - 1
    for values in itertools.product(_CANDIDATES, repeat=groups):
        path = pieces[0] + "".join(v + piece for v, piece in zip(values, pieces[1:], strict=True))
        yield "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _sample_path(route: str, name: str) -> str | None:
    # Japanese is the language without a URL prefix; another test may have left another
    # language active in this thread.
    with translation.override(settings.LANGUAGE_CODE):
        for path in _sample_paths(route):
            try:
                if resolve(path).view_name == name:
                    return path
            except Resolver404:
                continue
    return None


def _routes(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None


PRIVATE_ROUTES = sorted(
    {(route, name) for route, name in _routes(get_resolver().url_patterns) if name not in PUBLIC},
    key=lambda item: item[0],
)


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 302:
        return any(
            login in response.url for login in ("/accounts/login/", "/admin/login/", "/login/")
        )
    return False


def _diagnose(routes):
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(next(_sample_paths(routes[0])))
            return f"{routes[0]} resolves to {match.view_name}"
        except Resolver404 as error:
            return f"{routes[0]}: {error!r}"[:300]


def test_the_walk_finds_our_own_private_urls():
    names = {name for _route, name in PRIVATE_ROUTES}
    assert {
        "courses:dashboard",
        "courses:enroll",
        "accounts:profile",
        "library:saved_list",
    } <= names
    assert len(PRIVATE_ROUTES) > 200  # Wagtail's admin is in the walk too


def test_every_private_url_refuses_an_anonymous_visitor(client, site_tree):
    unresolvable, accepted = [], []
    for route, name in PRIVATE_ROUTES:
        path = _sample_path(route, name)
        if path is None:
            unresolvable.append(route)
            continue
        response = client.get(path)
        if response.status_code == 405:  # POST-only views
            response = client.post(path)
        if not _refused(response):
            accepted.append(f"{path} ({name}): {response.status_code}")
    assert not unresolvable, f"no sample path for: {unresolvable} ({_diagnose(unresolvable)})"
    assert not accepted, "answered an anonymous visitor:\n" + "\n".join(accepted)

"""Browser-test harness: Debian's Chromium driven by Playwright against the app.

* The app is served by pytest-django's live server on 127.0.0.1 only, every test starting
  from the seeded demo site (see ``demo_snapshot``); Chromium is launched with the flags
  of /work/shared/TESTING.md, which keep it off the network.
* One Chromium for the package, a fresh browser context (cookies, storage) per page.
* Every page records console errors, uncaught exceptions and Content-Security-Policy
  violations (``securitypolicyviolation`` events and the console's CSP messages);
  a test fails at teardown if any page broke the CSP or threw an uncaught exception.
* axe-core is loaded into pages as a same-origin script (see ``helpers.serve_axe``), so the
  CSP stays enforced and still catches the app's own inline scripts and styles.
"""

from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.factories.accounts import UserFactory

from .helpers import AXE_URL_PATH, serve_axe

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
DEFAULT_TIMEOUT_MS = 10_000

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "screen": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# What a 1280px-wide window shows at 200% zoom: 640 CSS pixels across.
ZOOM_200 = {"viewport": {"width": 640, "height": 450}}

# Installed before any of the page's own scripts; reports each violation to Python at once
# through a binding (bindings survive navigations, unlike a list kept in the page).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.__rpaReportCspViolation({
        directive: event.effectiveDirective || event.violatedDirective,
        blocked: event.blockedURI,
        source: event.sourceFile,
        line: event.lineNumber,
        sample: event.sample,
        page: document.location.href,
    });
}, true);
"""


# --- Server and database --------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, pinned to 127.0.0.1 on a free port."""
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(scope="package")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The seeded test database, serialized once, which every browser test starts from.

    Seeding takes thousands of queries (pages, revisions, courses), seconds on PostgreSQL,
    too slow to redo for every test. Django's serialized rollback restores a serialized
    database before each test (and the flush after the test removes what it added); for
    this package it is fed the seeded database instead of the migrated one. Afterwards
    the database is left as the migrations left it.
    """
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    if not (name.startswith("test_") or in_memory):
        pytest.fail(f"refusing to seed and flush {name!r}: not a test database", pytrace=False)
    migrated = getattr(connection, "_test_serialized_contents", None)
    if migrated is None:
        pytest.fail("the test database was not serialized (serialized_rollback)", pytrace=False)

    snapshot = {"seeded": None}
    try:
        yield snapshot
    finally:
        connection._test_serialized_contents = migrated
        if snapshot["seeded"] is not None:
            from django.core.management import call_command

            with django_db_blocker.unblock():
                # Already empty after the last test; as in TransactionTestCase, sequences
                # are kept and content types are not re-created: the restore brings them.
                call_command(
                    "flush",
                    interactive=False,
                    verbosity=0,
                    reset_sequences=False,
                    inhibit_post_migrate=True,
                )
                connection.creation.deserialize_db_from_string(migrated)


def _content_types_cached():
    """Cache every model's content type while the table has them.

    Restoring a snapshot into the emptied database builds model instances, and some
    (Wagtail's tasks) look up their content type while doing so; from the cache, that
    lookup cannot create a row that the restore then inserts a second time.
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


@pytest.fixture
def seeded(demo_snapshot, live_server, transactional_db, django_db_serialized_rollback):
    """The live server, with the demo site (pages, courses, roles, demo users) in its database.

    The live server answers from another thread, so the data is committed
    (``transactional_db``). ``django_db_serialized_rollback`` restores the serialized
    database before the test and flushes it after: the first test of the package gets
    the migrated database and seeds it; the later ones get that seeded database back.
    """
    from django.db import connection

    from lms.demo.seed import seed_all

    if demo_snapshot["seeded"] is None:
        seed_all(log=lambda message: None)
        demo_snapshot["seeded"] = connection.creation.serialize_db_to_string()
        connection._test_serialized_contents = demo_snapshot["seeded"]
    _content_types_cached()
    return live_server


@pytest.fixture
def user(seeded):
    """A verified account (password ``tests.factories.accounts.PASSWORD``)."""
    return UserFactory()


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One headless Chromium for this package's tests.

    Playwright's sync API marks its asyncio loop as running in this thread between calls.
    Django then (1) refuses ORM calls (SynchronousOnlyOperation) and (2) looks up database
    connections in per-context storage instead of the thread's, i.e. opens a second
    connection, unknown to the live server and to pytest-django's test-database setup.
    So, for as long as the browser is up: ORM calls are allowed (the usual pytest-django +
    Playwright workaround), and the thread's own connections are put into that storage.
    """
    from django.db import connections

    thread_connections = {alias: connections[alias] for alias in connections}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, connection in thread_connections.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserSession:
    """Opens instrumented pages, each in a fresh context, and remembers what went wrong."""

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        self.page_errors: list[str] = []

    def new_page(self, **context_options) -> Page:
        options = {**DESKTOP, **context_options}
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.expose_binding("__rpaReportCspViolation", self._on_csp_event)
        context.add_init_script(_CSP_LISTENER)
        context.route(f"**{AXE_URL_PATH}", serve_axe)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        return page

    def _on_csp_event(self, source, violation):
        self.csp_violations.append(json.dumps(violation, ensure_ascii=False))

    def _on_console(self, message: ConsoleMessage):
        if message.type != "error":
            return
        text = message.text
        self.console_errors.append(text)
        # "Refused to load/apply/execute ..." in older Chromiums, "... violates the following
        # Content Security Policy directive ..." in newer ones.
        if text.startswith("Refused to") or "Content Security Policy" in text:
            self.csp_violations.append(text)

    def close(self):
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def browser_session(browser, seeded):
    session = BrowserSession(browser, seeded.url)
    yield session
    session.close()
    if session.csp_violations:
        pytest.fail(
            "Content-Security-Policy violations:\n  " + "\n  ".join(session.csp_violations),
            pytrace=False,
        )
    if session.page_errors:
        pytest.fail(
            "Uncaught JavaScript errors:\n  " + "\n  ".join(session.page_errors), pytrace=False
        )


@pytest.fixture
def page(browser_session) -> Page:
    """A desktop-size page (1280x900) in its own context."""
    return browser_session.new_page()


@pytest.fixture
def phone_page(browser_session) -> Page:
    """A phone: 360x740 CSS pixels, touch, 2 device pixels per CSS pixel, mobile viewport."""
    return browser_session.new_page(**PHONE)


@pytest.fixture
def zoomed_page(browser_session) -> Page:
    """A 1280px-wide window at 200% zoom: 640 CSS pixels across."""
    return browser_session.new_page(**ZOOM_200)


@pytest.fixture
def console_errors(browser_session) -> list[str]:
    """Console errors of every page of this test so far (a live list)."""
    return browser_session.console_errors

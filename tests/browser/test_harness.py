"""The harness itself: its checks must be able to fail, or passing them means nothing."""

import pytest
from playwright.sync_api import Page

from .helpers import axe_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def _reports_once_in(page: Page, browser_session, *directives: str) -> str:
    """The CSP reports so far, once those of ``directives`` have arrived (or 2 s passed)."""
    for _ in range(40):
        reported = " ".join(browser_session.csp_violations)
        if all(f'"directive": "{d}"' in reported for d in directives):
            break
        page.wait_for_timeout(50)  # the reports reach Python asynchronously
    return " ".join(browser_session.csp_violations)


def test_csp_violations_are_recorded(page: Page, browser_session):
    page.goto("/")
    # What a template with an inline script or inline style attribute would do.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true;";
            document.body.append(script);
            const div = document.createElement("div");
            div.setAttribute("style", "color: red");
            document.body.append(div);
        }"""
    )

    reported = _reports_once_in(page, browser_session, "script-src-elem", "style-src-attr")

    assert page.evaluate("() => window.__inlineRan === undefined"), "the CSP let it run"
    # Both through the securitypolicyviolation listener (JSON) and the console.
    assert '"directive": "script-src-elem"' in reported, browser_session.csp_violations
    assert '"directive": "style-src-attr"' in reported, browser_session.csp_violations
    assert any("Content Security Policy" in v for v in browser_session.csp_violations)
    # Recorded as intended; don't let the teardown fail this test for it.
    browser_session.csp_violations.clear()


def test_csp_violations_in_served_markup_are_recorded(page: Page, browser_session):
    """A template with inline script or style: caught while the page is parsed."""
    csp = page.goto("/").headers["content-security-policy"]
    page.route(
        "**/__browser-tests__/inline.html",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp},
            body=(
                '<!DOCTYPE html><html lang="ja"><head><title>t</title></head><body>'
                '<p style="color: red">赤</p><script>window.__inlineRan = true;</script>'
                "</body></html>"
            ),
        ),
    )

    page.goto("/__browser-tests__/inline.html")
    reported = _reports_once_in(page, browser_session, "script-src-elem", "style-src-attr")

    assert page.evaluate("() => window.__inlineRan === undefined"), "the CSP let it run"
    assert '"directive": "script-src-elem"' in reported, browser_session.csp_violations
    assert '"directive": "style-src-attr"' in reported, browser_session.csp_violations
    browser_session.csp_violations.clear()


def test_axe_runs_inside_the_csp_and_finds_a_planted_violation(page: Page, browser_session):
    page.goto("/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
            img.id = "planted";
            document.querySelector("main").append(img);
        }"""
    )

    violations = axe_violations(page)

    image_alt = [v for v in violations if v["id"] == "image-alt"]
    assert image_alt and image_alt[0]["impact"] == "critical", violations
    assert image_alt[0]["targets"] == ["#planted"]
    # axe came in as a same-origin script: the page's CSP was kept and not broken.
    assert browser_session.csp_violations == []


def test_sideways_scrolling_is_detected(zoomed_page: Page):
    zoomed_page.goto("/")
    assert horizontal_overflow(zoomed_page) is None

    zoomed_page.evaluate(
        """() => {
            const wide = document.createElement("div");
            wide.id = "planted";
            wide.textContent = "x";
            wide.style.width = "2000px";  // through the CSSOM, which the CSP allows
            document.querySelector("main").append(wide);
        }"""
    )

    report = horizontal_overflow(zoomed_page)
    assert report is not None and "div#planted" in report, report


def test_uncaught_javascript_errors_are_recorded(page: Page, browser_session):
    page.goto("/")
    page.evaluate("() => { setTimeout(() => { throw new Error('planted failure'); }); }")
    for _ in range(40):
        if browser_session.page_errors:
            break
        page.wait_for_timeout(50)

    assert any("planted failure" in e for e in browser_session.page_errors)
    browser_session.page_errors.clear()

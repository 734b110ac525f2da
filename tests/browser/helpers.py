"""What browser tests check on a page: axe-core, sideways scrolling, logging in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from tests.factories.accounts import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# A path the app never serves: the test's route answers it with axe-core's source, so the
# page loads axe as an ordinary same-origin script that its CSP allows ('self').
AXE_URL_PATH = "/__browser-tests__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")

_axe_source: str | None = None


def serve_axe(route: Route) -> None:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    route.fulfill(
        status=200, content_type="application/javascript; charset=utf-8", body=_axe_source
    )


def axe_violations(page: Page) -> list[dict]:
    """Every WCAG 2.0/2.1/2.2 A and AA violation axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL_PATH)
        page.wait_for_function("() => typeof window.axe === 'object'")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return {
                violations: r.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map((n) => n.target.join(" ")),
                })),
                passes: r.passes.length,
            };
        }""",
        AXE_TAGS,
    )
    # A page where axe found nothing to check would pass vacuously.
    assert result["passes"] >= 5, f"axe checked almost nothing on {page.url}: {result}"
    return result["violations"]


def serious_axe_violations(page: Page) -> str | None:
    """A report of every serious or critical axe violation (id, help, first targets)."""
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    if not serious:
        return None
    lines = [f"axe: serious/critical WCAG A/AA violations on {page.url}:"]
    for v in serious:
        more = len(v["targets"]) - 5
        targets = ", ".join(v["targets"][:5]) + (f" (+{more} more)" if more > 0 else "")
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} -> {targets}")
    return "\n".join(lines)


def assert_no_serious_axe_violations(page: Page) -> None:
    """Fail listing every serious or critical axe violation on the page as it is now."""
    report = serious_axe_violations(page)
    if report:
        pytest.fail(report, pytrace=False)


def horizontal_overflow(page: Page) -> str | None:
    """Why the page scrolls sideways (WCAG 1.4.10 Reflow), or None when it fits."""
    sizes = page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
        })"""
    )
    if sizes["scrollWidth"] <= sizes["innerWidth"]:
        return None
    too_wide = page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 8)
            .map((el) => el.tagName.toLowerCase()
                + (el.id ? "#" + el.id : "")
                + (typeof el.className === "string" && el.className.trim()
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                + " (right edge " + Math.round(el.getBoundingClientRect().right) + ")")"""
    )
    return (
        f"{page.url} scrolls sideways: scrollWidth {sizes['scrollWidth']} > "
        f"innerWidth {sizes['innerWidth']}; elements past the edge: {too_wide}"
    )


def assert_no_horizontal_scroll(page: Page) -> None:
    """document.documentElement.scrollWidth <= window.innerWidth."""
    report = horizontal_overflow(page)
    if report:
        pytest.fail(report, pytrace=False)


def log_in(page: Page, email: str, password: str = PASSWORD, *, prefix: str = "") -> None:
    """Log in through the login form, as a person would, and land on the profile."""
    page.goto(f"{prefix}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/profile/$"))

"""The home page in Japanese (the default, at /) and in English (under /en/)."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_in_japanese(page: Page, console_errors):
    response = page.goto("/")

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_have_text("地域プロデューサー養成アカデミー")
    expect(page.get_by_role("link", name="本文へ移動")).to_have_attribute("href", "#main")
    expect(page.get_by_role("navigation", name="メインメニュー")).to_contain_text(
        "アカデミーについて"
    )
    assert console_errors == []


def test_home_in_english(page: Page, console_errors):
    response = page.goto("/en/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Regional Producer Academy")
    expect(page.locator("main")).to_contain_text("What is a regional producer?")
    expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text(
        "About the academy"
    )
    assert console_errors == []

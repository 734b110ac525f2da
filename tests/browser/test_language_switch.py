"""The header's language switcher keeps the reader on the same page."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_switching_language_on_a_content_page_keeps_the_page(page: Page):
    page.goto("/about/")
    expect(page.locator("main h1")).to_have_text("アカデミーについて")
    switcher = page.get_by_role("list", name="表示言語")
    expect(switcher.locator('[aria-current="true"]')).to_have_text("日本語")

    switcher.get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/en/about/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("About the academy")
    switcher = page.get_by_role("list", name="Language")
    expect(switcher.locator('[aria-current="true"]')).to_have_text("English")
    expect(switcher.get_by_role("link", name="日本語")).to_have_attribute("lang", "ja")

    switcher.get_by_role("link", name="日本語").click()

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/about/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_have_text("アカデミーについて")


def test_switching_language_on_the_login_page_keeps_the_page(page: Page):
    page.goto("/accounts/login/")
    page.locator("header").get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/en/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main form button[type=submit]")).to_be_visible()

    page.locator("header").get_by_role("link", name="日本語").click()

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")

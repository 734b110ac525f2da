"""Phones and 200% zoom: the layout reflows, nothing scrolls sideways, the menu works."""

import pytest
from playwright.sync_api import Page, expect

from .helpers import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    horizontal_overflow,
)

pytestmark = pytest.mark.browser


def test_home_on_a_phone_fits_the_screen_and_the_menu_opens(phone_page: Page):
    page = phone_page
    page.goto("/")
    assert page.evaluate("() => window.innerWidth") == 360
    assert_no_horizontal_scroll(page)

    toggler = page.get_by_role("button", name="メニュー")
    about = page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="アカデミーについて"
    )
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(about).to_be_hidden()

    toggler.tap()

    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.locator("header .collapsing")).to_have_count(0)  # the animation is over
    expect(about).to_be_visible()
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)

    about.tap()
    expect(page.locator("main h1")).to_have_text("アカデミーについて")
    assert_no_horizontal_scroll(page)


def test_sign_up_on_a_phone_fits_the_screen(phone_page: Page):
    phone_page.goto("/accounts/signup/")
    assert_no_horizontal_scroll(phone_page)
    assert_no_serious_axe_violations(phone_page)


def test_no_sideways_scrolling_at_200_percent_zoom(zoomed_page: Page):
    page = zoomed_page
    problems = []
    for path in ["/", "/accounts/signup/", "/en/", "/en/accounts/signup/", "/about/"]:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.evaluate("() => window.innerWidth") == 640
        problems.append(horizontal_overflow(page))

    problems = [problem for problem in problems if problem]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

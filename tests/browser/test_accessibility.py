"""axe-core finds no serious or critical WCAG 2.0/2.1/2.2 A or AA violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import assert_no_serious_axe_violations, log_in, serious_axe_violations

pytestmark = pytest.mark.browser


PUBLIC_PAGES = [
    "/",
    "/en/",
    "/about/",
    "/en/about/",
    "/accounts/login/",
    "/en/accounts/login/",
    "/accounts/signup/",
    "/en/accounts/signup/",
]


def test_public_pages_have_no_serious_axe_violations(page: Page):
    reports = []
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        reports.append(serious_axe_violations(page))

    problems = [report for report in reports if report]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_sign_up_form_with_errors_has_no_serious_axe_violations(page: Page):
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill("not-an-email")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("有効なメールアドレスを入力してください")

    assert_no_serious_axe_violations(page)


def test_profile_has_no_serious_axe_violations(page: Page, user):
    log_in(page, user.email)
    expect(page.locator("main h1")).to_have_text("プロフィール")
    assert_no_serious_axe_violations(page)

    page.get_by_role("button", name="保存する", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("プロフィールを保存しました。")
    assert_no_serious_axe_violations(page)

    page.locator("header").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/accounts/profile/$"))
    expect(page.locator("main h1")).to_have_text("Profile")
    assert_no_serious_axe_violations(page)

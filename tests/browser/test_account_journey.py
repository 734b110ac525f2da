"""A newcomer's whole journey: sign up, confirm the address, edit the profile, log out."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "kyoudou-no-machi-2026"
# The accessible names of required fields end in crispy-forms' asterisk.
FAMILY_NAME = re.compile(r"^姓\*?$")
GIVEN_NAME = re.compile(r"^名\*?$")
LANGUAGE = re.compile(r"^表示言語\*?$")


def test_sign_up_confirm_edit_profile_and_log_out(page: Page):
    email = "yoshiko.takahashi@example.com"
    page.goto("/")
    page.get_by_role("link", name="新規登録").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))

    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    # Our own fields, found by their accessible names (the Japanese labels).
    form.get_by_role("textbox", name=FAMILY_NAME).fill("髙橋")
    form.get_by_role("textbox", name=GIVEN_NAME).fill("𠮷子")
    form.get_by_role("textbox", name="姓（ふりがな）").fill("たかはし")
    form.get_by_role("textbox", name="名（ふりがな）").fill("よしこ")
    form.get_by_role("combobox", name=LANGUAGE).select_option("ja")
    form.locator("button[type=submit]").click()

    # Not logged in yet: the address must be confirmed first.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s/]+/)", message.body)
    assert link, message.body

    page.goto(link.group(1))
    page.locator("main form button[type=submit]").click()

    # Logged in on confirmation, and sent to the profile.
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    header = page.locator("header")
    expect(header.get_by_role("link", name="髙橋 𠮷子 さん（プロフィール）")).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)

    given_name = page.get_by_role("textbox", name=GIVEN_NAME)
    expect(given_name).to_have_value("𠮷子")
    given_name.fill("𠮷乃")
    page.get_by_role("textbox", name="名（ふりがな）").fill("よしの")
    page.get_by_role("button", name="保存する", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.get_by_role("status")).to_contain_text("プロフィールを保存しました。")
    expect(page.get_by_role("textbox", name=GIVEN_NAME)).to_have_value("𠮷乃")
    expect(header.get_by_role("link", name="髙橋 𠮷乃 さん（プロフィール）")).to_be_visible()
    user = get_user_model().objects.get(email=email)
    assert (user.last_name, user.first_name, user.first_name_kana) == ("髙橋", "𠮷乃", "よしの")

    header.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(header.get_by_role("link", name="ログイン")).to_be_visible()
    expect(header.get_by_role("button", name="ログアウト")).to_have_count(0)

    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/profile/$"))

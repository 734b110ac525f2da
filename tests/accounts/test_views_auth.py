"""Sign-up, e-mail confirmation, login, logout, password reset: allauth in our shell."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from lms.accounts import roles
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def signup_data(**overrides):
    data = {
        "email": "newcomer@example.com",
        "password1": "kyoudou-no-machi-2026",
        "password2": "kyoudou-no-machi-2026",
        "last_name": "髙橋",
        "first_name": "𠮷子",
        "last_name_kana": "たかはし",
        "first_name_kana": "よしこ",
        "preferred_language": "ja",
    }
    data.update(overrides)
    return data


def test_signup_confirm_login_profile_logout(client, site_tree):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = get_user_model().objects.get(email="newcomer@example.com")
    assert (user.last_name, user.first_name, user.last_name_kana) == ("髙橋", "𠮷子", "たかはし")
    assert user.groups.filter(name=roles.TRAINEES).exists()
    assert not user.groups.filter(name=roles.INSTRUCTORS).exists()

    # Not logged in until the address is confirmed.
    assert client.get("/accounts/profile/").status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    confirm_page = client.get(link.group(1))
    assert confirm_page.status_code == 200
    response = client.post(link.group(1))
    assert response.status_code == 302

    profile = client.get("/accounts/profile/")
    assert profile.status_code == 200
    assert "髙橋 𠮷子" in profile.content.decode()

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_signup_with_malformed_email_says_so_in_japanese_and_keeps_the_input(client, site_tree):
    response = client.post(SIGNUP, signup_data(email="not-an-email"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "有効なメールアドレスを入力してください" in html
    assert 'value="髙橋"' in html  # nothing typed is lost
    assert not get_user_model().objects.filter(first_name="𠮷子").exists()


def test_signup_with_short_password_says_so_in_japanese(client, site_tree):
    response = client.post(SIGNUP, signup_data(password1="short1", password2="short1"))
    assert response.status_code == 200
    assert "このパスワードは短すぎます" in response.content.decode()
    assert not get_user_model().objects.filter(email="newcomer@example.com").exists()


def test_signup_page_in_english_under_en_prefix(client, site_tree):
    response = client.get("/en/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Family name" in html
    assert '<option value="en" selected>' in html


def test_login_by_email_redirects_to_profile(client, site_tree):
    user = UserFactory(email="login@example.com")
    response = client.post(LOGIN, {"login": "login@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_sends_english_speakers_to_english_pages(client, site_tree):
    UserFactory(email="english@example.com", preferred_language="en")
    response = client.post(LOGIN, {"login": "english@example.com", "password": PASSWORD})
    assert response.url == "/en/accounts/profile/"


def test_wrong_password_five_times_is_rate_limited_with_a_japanese_message(client, site_tree):
    UserFactory(email="target@example.com")
    for _ in range(5):
        response = client.post(LOGIN, {"login": "target@example.com", "password": "wrong-one"})
        assert response.status_code == 200
        assert "メールアドレスもしくはパスワードが正しくありません" in response.content.decode()
    # Even the right password is refused now, with a message saying why.
    response = client.post(LOGIN, {"login": "target@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "ログイン失敗が連続しています" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rate_limit_is_per_account_another_account_can_still_log_in(client, site_tree):
    UserFactory(email="target@example.com")
    UserFactory(email="other@example.com")
    for _ in range(5):
        client.post(LOGIN, {"login": "target@example.com", "password": "wrong-one"})
    response = client.post(LOGIN, {"login": "other@example.com", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_sends_a_link(client, site_tree):
    UserFactory(email="forgot@example.com")
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body

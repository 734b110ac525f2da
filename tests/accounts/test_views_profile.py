import pytest
from wagtail.users.models import UserProfile

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def profile_data(**overrides):
    data = {
        "last_name": "山﨑",
        "first_name": "美和",
        "last_name_kana": "やまさき",
        "first_name_kana": "みわ",
        "preferred_language": "en",
    }
    data.update(overrides)
    return data


def test_profile_requires_login(client, site_tree):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_profile_edit_saves_names_and_language_and_the_admin_follows(client, site_tree):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PROFILE, profile_data())
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.last_name_kana) == ("山﨑", "美和", "やまさき")
    assert user.preferred_language == "en"
    assert UserProfile.get_for_user(user).preferred_language == "en"


def test_profile_with_kanji_in_the_reading_is_refused_in_japanese_and_keeps_input(
    client, site_tree
):
    user = UserFactory(last_name="山田")
    client.force_login(user)
    response = client.post(PROFILE, profile_data(last_name_kana="山崎", first_name="美和子"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ひらがなかカタカナで入力してください" in html
    assert 'value="美和子"' in html
    user.refresh_from_db()
    assert user.last_name == "山田"


def test_profile_shows_only_the_signed_in_users_data(client, site_tree):
    me = UserFactory(email="me@example.com", last_name="自分")
    UserFactory(email="someone@example.com", last_name="他人")
    client.force_login(me)
    html = client.get(PROFILE).content.decode()
    assert "me@example.com" in html
    assert "someone@example.com" not in html


def test_required_field_asterisks_are_hidden_from_screen_readers(client, site_tree):
    html = client.get("/accounts/signup/").content.decode()
    assert '<span class="asteriskField" aria-hidden="true">*</span>' in html
    assert '<span class="asteriskField">*</span>' not in html

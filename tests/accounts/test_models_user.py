import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_full_name_is_family_name_first_in_japanese_and_given_name_first_in_english():
    user = UserFactory.build(last_name="𠮷田", first_name="花子")
    with translation.override("ja"):
        assert user.get_full_name() == "𠮷田 花子"
        assert str(user) == "𠮷田 花子"
    with translation.override("en"):
        assert user.get_full_name() == "花子 𠮷田"


def test_names_outside_the_bmp_and_jis_level_2_are_stored_exactly():
    user = UserFactory(last_name="髙﨑", first_name="𠮷")
    user.refresh_from_db()
    assert user.last_name == "髙﨑"
    assert user.first_name == "𠮷"


def test_create_user_logs_in_by_a_normalised_email():
    user = get_user_model().objects.create_user(
        email="Hanako@Example.COM",
        password="x-long-password-1",
        last_name="山田",
        first_name="花子",
    )
    assert user.email == "hanako@example.com"
    assert get_user_model().USERNAME_FIELD == "email"


def test_kana_reading_rejects_kanji_with_a_japanese_message():
    user = UserFactory.build(last_name_kana="山田")
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        user.full_clean(exclude=["password"])
    assert "ひらがな" in str(exc.value.message_dict["last_name_kana"])


def test_kana_reading_accepts_hiragana_and_katakana():
    user = UserFactory.build(last_name_kana="ヤマダ", first_name_kana="はなこ")
    user.full_clean(exclude=["password"])


def test_passwords_are_hashed_with_argon2_outside_tests():
    from lms.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = UserFactory()
        assert identify_hasher(user.password).algorithm == "argon2"

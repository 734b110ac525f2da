"""The erasure in the Wagtail admin: superusers only, a confirmation with a reason."""

import pytest
from django.utils import translation

from lms.privacy.models import ErasureRecord
from tests.factories.accounts import TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(superuser):
    """The admin in English for the superuser (Wagtail follows the profile's language)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(superuser)
    profile.preferred_language = "en"
    profile.save()
    with translation.override("en"):
        yield


def _urls(world):
    return [f"/admin/privacy/erase/{world.trainee.pk}/", "/admin/privacy/erasures/"]


def _unchanged(world):
    user = type(world.trainee).objects.get(pk=world.trainee.pk)
    return user.email == "takahashi@example.jp" and user.is_active


def test_anonymous_is_sent_to_the_admin_login(client, world):
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    client.post(_urls(world)[0], {"reason": "x", "confirm": "on"})
    assert _unchanged(world)


def test_a_trainee_cannot_reach_it(client, world, other_trainee):
    client.force_login(other_trainee)
    for url in _urls(world):
        assert client.get(url).status_code == 302  # no admin access: the admin login
    client.post(_urls(world)[0], {"reason": "x", "confirm": "on"})
    assert _unchanged(world)


def test_an_instructor_is_refused(client, world, instructor):
    client.force_login(instructor)
    # Wagtail turns the refusal into a redirect to the dashboard with its message.
    for url in _urls(world):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    response = client.post(_urls(world)[0], {"reason": "x", "confirm": "on"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert _unchanged(world)
    assert not ErasureRecord.objects.exists()


def test_confirmation_page_says_what_will_happen(client, world, superuser):
    client.force_login(superuser)
    response = client.get(f"/admin/privacy/erase/{world.trainee.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "takahashi@example.jp" in html
    assert "1 open enrollment is withdrawn" in html
    assert "1 attached file is deleted." in html
    assert "2 certificates already issued keep the name as certified" in html
    assert 'name="reason"' in html and 'name="confirm"' in html


def test_reason_and_confirmation_are_required(client, world, superuser):
    client.force_login(superuser)
    url = f"/admin/privacy/erase/{world.trainee.pk}/"
    response = client.post(url, {"reason": "  ", "confirm": "on"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "削除請求 12"})
    assert response.status_code == 400
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert _unchanged(world)


def test_superuser_erases_and_sees_the_record(client, world, superuser):
    client.force_login(superuser)
    url = f"/admin/privacy/erase/{world.trainee.pk}/"
    response = client.post(url, {"reason": "削除請求 受付番号 12", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/privacy/erasures/"
    record = ErasureRecord.objects.get()
    assert record.actor == superuser
    assert not _unchanged(world)
    html = client.get("/admin/privacy/erasures/").content.decode()
    assert f"#{record.pk}" in html and "削除請求 受付番号 12" in html
    assert "takahashi@example.jp" not in html
    # Again: harmless, and said so.
    response = client.get(url)
    assert "This account was erased on" in response.content.decode()
    response = client.post(url, {"reason": "again", "confirm": "on"}, follow=True)
    assert "This account had already been erased." in response.content.decode()
    assert ErasureRecord.objects.count() == 1


def test_admins_and_oneself_cannot_be_erased_from_the_page(client, world, superuser, instructor):
    client.force_login(superuser)
    for target in (superuser, instructor):
        url = f"/admin/privacy/erase/{target.pk}/"
        html = client.get(url).content.decode()
        assert 'name="confirm"' not in html
        response = client.post(url, {"reason": "x", "confirm": "on"})
        assert response.status_code == 302
    assert not ErasureRecord.objects.exists()
    superuser.refresh_from_db()
    assert superuser.is_active


def test_find_an_account_by_email(client, world, superuser):
    client.force_login(superuser)
    response = client.get("/admin/privacy/erasures/", {"email": "TAKAHASHI@example.jp"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/privacy/erase/{world.trainee.pk}/"
    response = client.get("/admin/privacy/erasures/", {"email": "nobody@example.jp"})
    assert response.status_code == 400
    assert "No account has this e-mail address." in response.content.decode()


def test_users_listing_offers_the_erasure_to_superusers(client, world, superuser):
    client.force_login(superuser)
    html = client.get("/admin/users/").content.decode()
    assert f"/admin/privacy/erase/{world.trainee.pk}/" in html
    assert f"/admin/privacy/erase/{superuser.pk}/" not in html


def test_an_unknown_account_is_a_404(client, superuser, site_tree):
    TraineeFactory()
    client.force_login(superuser)
    assert client.get("/admin/privacy/erase/999999/").status_code == 404

"""Who reaches the Wagtail admin: trainees and partners never, instructors for pages only."""

import pytest

from cms.models import StandardPage
from tests.factories.accounts import InstructorFactory, PartnerFactory, TraineeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [TraineeFactory, PartnerFactory])
def test_trainees_and_partners_cannot_reach_the_admin(client, site_tree, factory):
    client.force_login(factory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    page = StandardPage.objects.get(slug="about", locale__language_code="ja")
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_instructors_can_edit_and_publish_pages(client, site_tree):
    client.force_login(InstructorFactory())
    assert client.get("/admin/").status_code == 200
    page = StandardPage.objects.get(slug="about", locale__language_code="ja")
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    response = client.post(
        f"/admin/pages/{page.pk}/edit/",
        {
            "title": "アカデミーについて（改訂）",
            "slug": "about",
            "body-count": "0",
            "listing_summary": "",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.title == "アカデミーについて（改訂）"


def test_instructors_cannot_manage_users_or_groups(client, site_tree):
    instructor = InstructorFactory()
    other = UserFactory(email="someone@example.com")
    client.force_login(instructor)
    for url in ("/admin/users/", f"/admin/users/edit/{other.pk}/", "/admin/groups/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url == "/admin/", url


def test_superusers_manage_users(client, site_tree):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/users/")
    assert response.status_code == 200


def test_the_admin_speaks_japanese_by_default_and_follows_the_profile_language(client, site_tree):
    instructor = InstructorFactory()
    client.force_login(instructor)
    assert "ダッシュボード" in client.get("/admin/").content.decode()
    client.post(
        "/accounts/profile/",
        {
            "last_name": instructor.last_name,
            "first_name": instructor.first_name,
            "last_name_kana": "",
            "first_name_kana": "",
            "preferred_language": "en",
        },
    )
    assert "Dashboard" in client.get("/admin/").content.decode()

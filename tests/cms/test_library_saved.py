"""Saving methods and case studies to "my list": POST with CSRF, one's own list only."""

import re

import pytest
from django.test import Client

from cms.models import SavedItem
from tests.factories.accounts import PartnerFactory, TraineeFactory, UserFactory
from tests.factories.library import case_study, ja, library_index, method

pytestmark = pytest.mark.django_db

NOTHING_SAVED = (
    "You have not saved anything yet. Use the “Save to my list” button on a method or a case study."
)


@pytest.fixture
def library(site_tree):
    index = library_index(site_tree)
    return {
        "public": method(index, slug="open", title="公開の手法"),
        "partners": method(index, slug="closed", title="賛同事業者の手法", visibility="partners"),
        "both": case_study(
            index, slug="case", title="受講者も読める事例", visibility="partners_trainees"
        ),
    }


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(client, url):
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_partner_saves_and_removes_with_the_form_on_the_page(library):
    partner = PartnerFactory()
    client = csrf_client(partner)
    page = library["partners"]
    html = client.get(page.url).content.decode()
    assert f'action="/my-list/{page.pk}/save/"' in html
    assert ja("Save to my list") in html

    response = client.post(
        f"/my-list/{page.pk}/save/",
        {"csrfmiddlewaretoken": csrf_token(client, page.url), "next": page.url},
    )
    assert response.status_code == 302 and response.url == page.url
    assert SavedItem.objects.filter(user=partner, page=page).count() == 1
    html = client.get(page.url).content.decode()
    assert ja("Remove from my list") in html
    assert "賛同事業者の手法" in client.get("/my-list/").content.decode()

    # Saving again keeps one row.
    client.post(f"/my-list/{page.pk}/save/", {"csrfmiddlewaretoken": csrf_token(client, page.url)})
    assert SavedItem.objects.filter(user=partner, page=page).count() == 1

    response = client.post(
        f"/my-list/{page.pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token(client, "/my-list/"), "next": "/my-list/"},
    )
    assert response.status_code == 302 and response.url == "/my-list/"
    assert not SavedItem.objects.filter(user=partner).exists()
    assert "賛同事業者の手法" not in client.get("/my-list/").content.decode()


def test_saving_without_the_csrf_token_is_refused(library):
    client = csrf_client(PartnerFactory())
    response = client.post(f"/my-list/{library['public'].pk}/save/")
    assert response.status_code == 403
    assert not SavedItem.objects.exists()


def test_saving_is_a_post(library):
    client = csrf_client(PartnerFactory())
    assert client.get(f"/my-list/{library['public'].pk}/save/").status_code == 405
    assert not SavedItem.objects.exists()


def test_a_trainee_saves_what_trainees_may_read_but_not_partner_pages(library):
    trainee = TraineeFactory()
    client = csrf_client(trainee)
    token = csrf_token(client, library["public"].url)
    client.post(f"/my-list/{library['both'].pk}/save/", {"csrfmiddlewaretoken": token})
    assert SavedItem.objects.filter(user=trainee, page=library["both"]).exists()
    response = client.post(
        f"/my-list/{library['partners'].pk}/save/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 403
    assert not SavedItem.objects.filter(page=library["partners"]).exists()


def test_anonymous_readers_and_accounts_without_a_role_have_no_list(client, library):
    assert ja("Save to my list") not in client.get(library["public"].url).content.decode()
    response = client.post(f"/my-list/{library['public'].pk}/save/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.get("/my-list/")
    assert response.status_code == 302 and "/accounts/login/" in response.url

    client.force_login(UserFactory())
    assert ja("Save to my list") not in client.get(library["public"].url).content.decode()
    assert client.post(f"/my-list/{library['public'].pk}/save/").status_code == 403
    assert client.get("/my-list/").status_code == 403
    assert not SavedItem.objects.exists()


def test_someone_elses_list_is_not_visible_nor_changeable(library):
    alice, bob = PartnerFactory(), PartnerFactory()
    SavedItem.objects.create(user=alice, page=library["partners"])
    client = csrf_client(bob)
    html = client.get("/my-list/").content.decode()
    assert "賛同事業者の手法" not in html
    assert ja(NOTHING_SAVED) in html
    # Bob "removing" the page from a list removes it from his own (empty) list only.
    client.post(
        f"/my-list/{library['partners'].pk}/remove/",
        {"csrfmiddlewaretoken": csrf_token(client, "/my-list/")},
    )
    assert SavedItem.objects.filter(user=alice, page=library["partners"]).exists()


def test_my_list_shows_only_pages_i_can_still_read(library):
    partner = PartnerFactory()
    SavedItem.objects.create(user=partner, page=library["public"])
    SavedItem.objects.create(user=partner, page=library["partners"])
    client = csrf_client(partner)
    html = client.get("/my-list/").content.decode()
    assert "公開の手法" in html and "賛同事業者の手法" in html
    # The partner loses the role: the partners' page drops out of the list.
    partner.groups.clear()
    html = client.get("/my-list/").content.decode()
    assert client.get("/my-list/").status_code == 403  # no role: no list at all
    from lms.accounts.services import user_assign_role

    user_assign_role(user=partner, role="Trainees")
    html = client.get("/my-list/").content.decode()
    assert "公開の手法" in html and "賛同事業者の手法" not in html
    # An unpublished page drops out too.
    library["public"].unpublish()
    assert "公開の手法" not in client.get("/my-list/").content.decode()

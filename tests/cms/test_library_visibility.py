"""The rule that decides who reads what in the method library, and its edges.

The full matrix (visibility × reader × surface) is in test_library_matrix.py.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from cms.visibility import visibilities_for
from lms.accounts import roles
from lms.accounts.services import partner_organisation_ensure, user_assign_role
from tests.factories.accounts import InstructorFactory, PartnerFactory, TraineeFactory, UserFactory
from tests.factories.library import document, ja, library_index, method, partner_member

pytestmark = pytest.mark.django_db

VISIBILITIES = ["public", "partners", "partners_trainees"]


@pytest.fixture
def library(site_tree):
    index = library_index(site_tree)
    pages, documents = {}, {}
    for visibility in VISIBILITIES:
        documents[visibility] = document(
            title=f"資料 {visibility}", visibility=visibility, filename=f"doc-{visibility}.txt"
        )
        pages[visibility] = method(
            index,
            slug=f"method-{visibility.replace('_', '-')}",
            visibility=visibility,
            body=f"本文「{visibility}」",
        )
    return index, pages, documents


# --- The rule itself -------------------------------------------------------------------------
def test_visibilities_for_each_kind_of_reader(site_tree):
    assert visibilities_for(AnonymousUser()) == {"public"}
    assert visibilities_for(TraineeFactory()) == {"public", "partners_trainees"}
    assert visibilities_for(PartnerFactory()) == set(VISIBILITIES)  # the Partners group
    assert visibilities_for(partner_member()) == set(VISIBILITIES)  # an organisation
    assert visibilities_for(InstructorFactory()) == set(VISIBILITIES)
    assert visibilities_for(UserFactory(is_superuser=True)) == set(VISIBILITIES)
    assert visibilities_for(UserFactory()) == {"public"}  # signed in, no role


def test_a_member_of_an_inactive_organisation_is_not_a_partner(site_tree):
    member = partner_member(active=False)
    assert visibilities_for(member) == {"public"}
    user_assign_role(user=member, role=roles.TRAINEES)
    member = type(member).objects.get(pk=member.pk)
    assert visibilities_for(member) == {"public", "partners_trainees"}


def test_deactivating_an_organisation_takes_access_away(client, library):
    _index, pages, _documents = library
    member = partner_member(organisation_name="閉じる事業者")
    client.force_login(member)
    assert client.get(pages["partners"].url).status_code == 200
    organisation = partner_organisation_ensure(name="閉じる事業者")
    organisation.active = False
    organisation.save()
    response = client.get(pages["partners"].url)
    assert response.status_code == 403
    assert "本文「partners」" not in response.content.decode()


def test_an_inactive_account_reads_only_public_pages(site_tree):
    instructor = InstructorFactory(is_active=False)
    assert visibilities_for(instructor) == {"public"}


def test_the_locked_page_asks_an_anonymous_reader_to_log_in(client, library):
    _index, pages, _documents = library
    html = client.get(pages["partners_trainees"].url).content.decode()
    assert "/accounts/login/?next=" in html
    assert ja("This page is for partners and trainees") in html


def test_a_document_refused_by_direct_url_explains_itself(client, library):
    _index, _pages, documents = library
    response = client.get(documents["partners"].url)
    assert response.status_code == 403
    html = response.content.decode()
    assert ja("This document is for partners") in html
    assert "資料 partners" in html


def test_pages_not_for_everyone_are_never_kept_by_a_shared_cache(client, library):
    _index, pages, _documents = library
    assert "private" in client.get(pages["partners"].url)["Cache-Control"]
    client.force_login(PartnerFactory())
    assert "private" in client.get(pages["partners"].url)["Cache-Control"]
    assert "private" in client.get(pages["partners_trainees"].url)["Cache-Control"]
    assert "private" not in client.get(pages["public"].url).get("Cache-Control", "")

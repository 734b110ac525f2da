"""The demo library: what seed_demo creates, and that a second run changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.documents import get_document_model
from wagtail.models import Revision

from cms.models import CaseStudyPage, MethodIndexPage, MethodPage, SavedItem, TargetGroup
from cms.visibility import visibilities_for
from lms.accounts.models import PartnerOrganisation
from lms.demo.seed import seed_all

pytestmark = pytest.mark.django_db


def quiet(message):
    pass


def snapshot():
    return {
        "methods": sorted(MethodPage.objects.values_list("pk", "slug", "visibility", "live")),
        "cases": sorted(CaseStudyPage.objects.values_list("pk", "slug", "visibility", "live")),
        "indexes": sorted(MethodIndexPage.objects.values_list("pk", "locale__language_code")),
        "revisions": Revision.objects.count(),
        "documents": sorted(get_document_model().objects.values_list("pk", "title", "file")),
        "target_groups": sorted(TargetGroup.objects.values_list("pk", "slug")),
        "organisations": sorted(
            PartnerOrganisation.objects.values_list("pk", "name", "members__email")
        ),
        "related": sorted(MethodPage.related_method_links.rel.related_model.objects.values_list()),
        "saved": SavedItem.objects.count(),
    }


def test_demo_library_is_created_once_and_a_second_run_changes_nothing():
    logs = []
    seed_all(log=logs.append)
    first = snapshot()
    assert len(first["methods"]) >= 8
    assert len(first["cases"]) >= 3
    visibilities = {v for *_, v, _live in first["methods"] + first["cases"]}
    assert visibilities == {"public", "partners", "partners_trainees"}
    assert {slug for _pk, slug in first["target_groups"]} == {
        "older-people",
        "children",
        "people-with-disabilities",
        "families",
        "financial-hardship",
    }
    assert {lang for _pk, lang in first["indexes"]} == {"ja", "en"}

    again = []
    seed_all(log=again.append)
    assert snapshot() == first
    assert not any("library" in m or "method" in m or "case study" in m for m in again), again


def test_demo_pages_have_their_filters_set():
    seed_all(log=quiet)
    for page in [*MethodPage.objects.all(), *CaseStudyPage.objects.all()]:
        assert page.stage, page.slug
        assert page.themes.exists(), page.slug
        assert page.live, page.slug
    for case in CaseStudyPage.objects.all():
        assert case.prefecture and case.municipality and case.method_links.exists()
    assert MethodPage.objects.filter(prefecture="tochigi").exists()


def test_the_demo_partner_is_a_member_of_the_demo_organisation(client):
    seed_all(log=quiet)
    partner = get_user_model().objects.get(email="partner@example.com")
    organisation = PartnerOrganisation.objects.get(members=partner)
    assert organisation.active
    assert visibilities_for(partner) == {"public", "partners", "partners_trainees"}
    partners_only = MethodPage.objects.filter(visibility="partners").first()
    assert client.get(partners_only.url).status_code == 403
    client.force_login(partner)
    assert client.get(partners_only.url).status_code == 200
    trainee = get_user_model().objects.get(email="trainee@example.com")
    client.force_login(trainee)
    assert client.get(partners_only.url).status_code == 403
    both = CaseStudyPage.objects.filter(visibility="partners_trainees").first()
    assert client.get(both.url).status_code == 200

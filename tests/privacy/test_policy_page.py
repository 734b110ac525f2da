"""The privacy policy page: seeded in two languages, linked from every page's footer."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from cms.models import StandardPage
from lms.demo.seed_privacy import seed_privacy
from lms.privacy.models import PrivacySettings
from tests.cms.test_views_pages import QUERIES_HOME
from tests.factories.accounts import TraineeFactory

pytestmark = pytest.mark.django_db


def _quiet(message):
    pass


def test_no_policy_page_chosen_is_a_404(client, site_tree):
    assert client.get("/privacy/policy/").status_code == 404


def test_seeded_policy_in_japanese_and_english(client, site_tree):
    page = seed_privacy(home=site_tree, log=_quiet)
    seed_privacy(home=site_tree, log=_quiet)  # idempotent
    assert StandardPage.objects.filter(slug="privacy-policy").count() == 2
    assert PrivacySettings.load().policy_page_id == page.pk

    response = client.get("/privacy/policy/")
    assert (response.status_code, response["Location"]) == (302, "/privacy-policy/")
    html = client.get(response["Location"]).content.decode()
    for text in ("利用目的", "第三者への提供", "保存期間", "安全管理", "開示", "お問い合わせ窓口"):
        assert text in html, text

    response = client.get("/en/privacy/policy/")
    assert response.status_code == 302
    assert response["Location"] == "/en/privacy-policy/"
    html = client.get(response["Location"]).content.decode()
    for text in ("Why we use it", "Giving information to others", "How long we keep it"):
        assert text in html, text


def test_footer_links_the_policy_without_a_query(client, site_tree, django_assert_num_queries):
    seed_privacy(home=site_tree, log=_quiet)
    client.get("/")  # warm the navigation cache, as on any running site
    with django_assert_num_queries(QUERIES_HOME):  # the home page's budget, unchanged
        html = client.get("/").content.decode()
    assert 'href="/privacy/policy/"' in html
    with translation.override("en"):
        html = client.get("/en/").content.decode()
    assert 'href="/en/privacy/policy/"' in html


def test_profile_panel_renders_with_the_download_form():
    request = RequestFactory().get("/")
    request.user = TraineeFactory.build()
    with translation.override("en"):
        html = render_to_string("lms/privacy/profile_panel.html", request=request)
    assert "Your data" in html
    assert 'action="/en/privacy/export/"' in html
    assert "csrfmiddlewaretoken" in html

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_home_page_in_japanese_at_the_root(client, site_tree):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "地域プロデューサー養成アカデミー" in html
    assert "本文へ移動" in html  # the skip link, translated
    assert 'href="/en/"' in html  # the language switcher


def test_home_page_in_english_under_en(client, site_tree):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Regional Producer Academy" in html
    assert "Skip to main content" in html
    assert "What is a regional producer?" in html


def test_language_switcher_links_to_the_same_page_in_the_other_language(client, site_tree):
    html = client.get("/about/").content.decode()
    assert 'href="/en/about/"' in html
    html = client.get("/en/about/").content.decode()
    assert 'href="/about/"' in html


def test_navigation_lists_the_pages_of_the_current_language(client, site_tree):
    html = client.get("/").content.decode()
    assert "アカデミーについて" in html and "About the academy" not in html
    html = client.get("/en/").content.decode()
    assert "About the academy" in html and "アカデミーについて" not in html


def test_unknown_page_is_a_404_in_japanese(client, site_tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_unknown_page_is_a_404_in_english_under_en(client, site_tree):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_is_plain_and_bilingual():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "エラーが発生しました" in html
    assert "something went wrong" in html


def test_dates_are_shown_the_japanese_way():
    template = Template("{{ day|date }}")
    with translation.override("ja"):
        assert template.render(Context({"day": datetime.date(2026, 11, 27)})) == "2026年11月27日"
    with translation.override("en"):
        assert "2026" in template.render(Context({"day": datetime.date(2026, 11, 27)}))


@pytest.mark.parametrize("extra_pages", [2, 20])
def test_home_page_query_count_does_not_grow_with_the_menu(
    client, site_tree, django_assert_num_queries, extra_pages
):
    from cms.models import StandardPage

    for n in range(extra_pages):
        page = StandardPage(title=f"ページ{n}", slug=f"page-{n}", show_in_menus=True)
        site_tree.add_child(instance=page)
    client.get("/")  # warm the navigation cache, as on any running site
    with django_assert_num_queries(QUERIES_HOME):
        response = client.get("/")
    assert response.content.decode().count('class="nav-link" href="/page-') == extra_pages


QUERIES_HOME = 7

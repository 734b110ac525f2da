"""The site search: Japanese words inside sentences, width variants, visibility, filters."""

import pytest

from tests.factories.accounts import TraineeFactory
from tests.factories.courses import course_tree
from tests.factories.library import library_index, method, partner_member, theme

pytestmark = pytest.mark.django_db

# Titles are highlighted (<mark>), so a hit is recognised by its link.
AKIYA = 'href="/library/akiya/"'
SALON = 'href="/library/salon/"'
HEARING = 'href="/library/hearing/"'
COURSE = 'href="/courses/basics/"'


@pytest.fixture
def library(site_tree):
    index = library_index(site_tree)
    housing = theme("housing", "住まい")
    pages = {
        "public": method(
            index,
            slug="akiya",
            title="空き家を住まいに変える",
            summary_text="豊島区の空き家を活用したセーフティネット住宅の始め方。",
            themes=[housing],
        ),
        "partners": method(
            index,
            slug="salon",
            title="サロンの運営",
            visibility="partners",
            summary_text="共生型のサロン運営を続けるための資金計画。",
        ),
        "trainees": method(
            index,
            slug="hearing",
            title="住民ヒアリング",
            visibility="partners_trainees",
            summary_text="住民の声を聴き、空き家の活用につなげる聞き取りの手順。",
        ),
    }
    for page in pages.values():
        page.save_revision().publish()
    course = course_tree(site_tree, slug="basics", summary_text="空き家とサロンを学ぶ講座。")
    course.save_revision().publish()
    return pages


def found(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_a_word_inside_a_sentence_is_found_and_highlighted(client, library):
    html = found(client, "空き家")
    assert AKIYA in html
    assert "<mark>空き家</mark>" in html


def test_split_words_and_half_width_forms_match(client, library, django_user_model):
    client.force_login(partner_member())
    assert SALON in found(client, "共生サロン")
    assert SALON in found(client, "ｻﾛﾝ")


def test_results_respect_visibility(client, library):
    html = found(client, "空き家")
    assert HEARING not in html and SALON not in html
    client.force_login(TraineeFactory())
    html = found(client, "空き家")
    assert HEARING in html
    assert SALON not in found(client, "サロン")
    client.force_login(partner_member())
    assert SALON in found(client, "サロン")


def test_filters_combine_with_the_words(client, library):
    html = found(client, "空き家", kind="course")
    assert COURSE in html and AKIYA not in html
    html = found(client, "空き家", theme="housing")
    assert AKIYA in html and COURSE not in html


def test_an_empty_query_shows_the_form_only(client, library):
    html = found(client, "")
    assert 'name="q"' in html and "<mark>" not in html


def test_search_in_english_finds_japanese_content(client, library):
    response = client.get("/en/search/", {"q": "空き家"})
    assert response.status_code == 200
    assert AKIYA in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page_not_nothing(client, library):
    html = found(client, "空き家", page="9")
    assert AKIYA in html
    assert "見つかりませんでした" not in html


def test_a_partner_only_download_is_private_to_caches(client, site_tree):
    from tests.factories.library import document

    doc = document(title="面談チェックリスト", visibility="partners")
    public = document(title="公開資料", visibility="public")
    client.force_login(partner_member())
    response = client.get(doc.url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert response.get("Content-Encoding") != "None"
    response = client.get(public.url)
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    client.logout()
    assert client.get(doc.url).status_code == 403

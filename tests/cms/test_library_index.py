"""The library index: filters that combine, counts of what the reader may see, fixed queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.accounts import PartnerFactory, TraineeFactory
from tests.factories.library import (
    case_study,
    ja,
    ja_count,
    library_index,
    method,
    target_group,
    theme,
)

pytestmark = pytest.mark.django_db

TITLES = ["空き家の活用", "共生サロン", "閉校の再生", "見守りの手法", "豊島の事例"]


@pytest.fixture
def library(site_tree):
    housing = theme("housing", "住まい", "Housing", 10)
    places = theme("places", "居場所づくり", "Places to belong", 20)
    older = target_group("older-people", "高齢者", "Older people", 10)
    children = target_group("children", "子ども", "Children", 20)
    index = library_index(site_tree)
    akiya = method(
        index,
        slug="akiya",
        title="空き家の活用",
        themes=[housing],
        targets=[older],
        prefecture="tokyo",
        stage="launch",
    )
    method(
        index,
        slug="salon",
        title="共生サロン",
        themes=[places],
        targets=[older, children],
        prefecture="tokyo",
        stage="running",
    )
    method(
        index,
        slug="school",
        title="閉校の再生",
        themes=[places, housing],
        targets=[children],
        prefecture="tochigi",
        stage="planning",
        visibility="partners_trainees",
    )
    method(
        index,
        slug="watch",
        title="見守りの手法",
        themes=[housing],
        targets=[older],
        prefecture="tokyo",
        stage="running",
        visibility="partners",
    )
    case_study(
        index,
        slug="toshima",
        title="豊島の事例",
        themes=[housing],
        targets=[older],
        prefecture="tokyo",
        stage="running",
        methods=[akiya],
    )
    return index


def titles(client, url):
    html = client.get(url).content.decode()
    return [t for t in TITLES if f">{t}</a>" in html]


def count_in(client, url):
    html = client.get(url).content.decode()
    return int(re.search(r'class="library-count">\D*(\d+)', html).group(1))


def option(client, url, name, value):
    """The label of one filter option ("住まい (2)") as the reader sees it."""
    html = client.get(url).content.decode()
    select = re.search(rf'<select[^>]*name="{name}">(.*?)</select>', html, re.S).group(1)
    match = re.search(rf'<option value="{value}"[^>]*>([^<]*)</option>', select)
    return match.group(1) if match else None


def test_index_lists_what_the_reader_may_see(client, library):
    assert titles(client, library.url) == ["空き家の活用", "共生サロン", "豊島の事例"]
    client.force_login(TraineeFactory())
    assert titles(client, library.url) == ["空き家の活用", "共生サロン", "閉校の再生", "豊島の事例"]
    client.force_login(PartnerFactory())
    assert titles(client, library.url) == TITLES[:3] + ["見守りの手法", "豊島の事例"]


def test_filters_combine(client, library):
    client.force_login(PartnerFactory())
    url = library.url
    assert titles(client, url + "?theme=housing") == [
        "空き家の活用",
        "閉校の再生",
        "見守りの手法",
        "豊島の事例",
    ]
    assert titles(client, url + "?theme=housing&prefecture=tokyo") == [
        "空き家の活用",
        "見守りの手法",
        "豊島の事例",
    ]
    assert titles(client, url + "?theme=housing&prefecture=tokyo&stage=running") == [
        "見守りの手法",
        "豊島の事例",
    ]
    assert titles(client, url + "?theme=housing&prefecture=tokyo&stage=running&kind=method") == [
        "見守りの手法"
    ]
    assert titles(client, url + "?kind=case") == ["豊島の事例"]
    assert titles(client, url + "?target=children&theme=places") == ["共生サロン", "閉校の再生"]
    assert titles(client, url + "?target=children&prefecture=tochigi") == ["閉校の再生"]
    assert titles(client, url + "?theme=places&prefecture=tokyo&stage=planning") == []
    html = client.get(url + "?theme=places&stage=scaling").content.decode()
    assert ja("Nothing in the library matches these filters.") in html


def test_counts_are_of_visible_items_and_follow_the_other_filters(client, library):
    url = library.url
    # Anonymous: 3 public items; the partners' ones are neither listed nor counted.
    assert count_in(client, url) == 3
    assert option(client, url, "theme", "housing") == "住まい (2)"
    assert option(client, url, "kind", "method") == f"{ja('Methods')} (2)"
    assert option(client, url, "prefecture", "tokyo") == "東京都 (3)"
    assert option(client, url, "prefecture", "tochigi") is None  # nothing public there
    client.force_login(PartnerFactory())
    assert count_in(client, url) == 5
    assert option(client, url, "theme", "housing") == "住まい (4)"
    assert option(client, url, "prefecture", "tochigi") == "栃木県 (1)"
    # With a prefecture chosen, the theme counts are within that prefecture …
    filtered = url + "?prefecture=tokyo"
    assert count_in(client, filtered) == 4
    assert option(client, filtered, "theme", "housing") == "住まい (3)"
    assert option(client, filtered, "target", "children") == "子ども (1)"
    # … and the prefecture counts ignore the prefecture filter itself.
    assert option(client, filtered, "prefecture", "tochigi") == "栃木県 (1)"


def test_unknown_filter_values_are_ignored(client, library):
    response = client.get(library.url + "?prefecture=atlantis&stage=<script>&kind=x&page=zz")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert count_in(client, library.url + "?prefecture=atlantis") == 3
    assert count_in(client, library.url + "?theme=no-such-theme") == 0


def test_prefectures_and_stages_are_shown_in_english_under_en(client, library):
    from wagtail.models import Locale

    index_en = library.copy_for_translation(Locale.objects.get(language_code="en"))
    index_en.title = "Method library"
    index_en.save_revision().publish()
    html = client.get(index_en.url).content.decode()
    assert index_en.url.startswith("/en/")
    # The English index lists the library of the original (Japanese) index.
    assert ">空き家の活用</a>" in html
    assert "Tokyo (3)" in html and "Housing (2)" in html and "Running (2)" in html


def test_the_index_paginates(client, library):
    index = library
    for n in range(25):
        method(index, slug=f"extra-{n}", title=f"追加の手法{n:02d}")
    html = client.get(index.url).content.decode()
    assert ja_count(28) in html
    assert html.count('class="card h-100 library-card"') == 20
    assert 'rel="next"' in html
    html = client.get(index.url + "?page=2").content.decode()
    assert html.count('class="card h-100 library-card"') == 8
    assert "追加の手法24" in html


# --- Query budget ----------------------------------------------------------------------------
# Routing and view restrictions 7, the library 10; signed in: session, user and roles 3 more.
QUERIES_INDEX_ANONYMOUS = 17
QUERIES_INDEX_PARTNER = 20


def _methods(index, count, housing, older, start=0):
    for n in range(start, start + count):
        method(
            index,
            slug=f"m-{n}",
            title=f"手法{n}",
            themes=[housing],
            targets=[older],
            prefecture="tokyo" if n % 2 else "tochigi",
            stage="running",
            visibility=("public", "partners", "partners_trainees")[n % 3],
        )


def _queries(client, url):
    client.get(url)  # warm the caches (site root paths, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_index_makes_the_same_number_of_queries_with_10_and_500_methods(client, site_tree):
    """Exactly the same count at both sizes, for an anonymous reader and for a partner."""
    housing = theme("housing", "住まい")
    older = target_group("older-people", "高齢者")
    index = library_index(site_tree)
    _methods(index, 10, housing, older)
    url = index.url + "?theme=housing&target=older-people"
    partner = PartnerFactory()

    small_anonymous, html = _queries(client, url)
    assert ja_count(4) in html  # public ones: n % 3 == 0
    client.force_login(partner)
    small_partner, html = _queries(client, url)
    assert ja_count(10) in html

    _methods(index, 490, housing, older, start=10)
    client.logout()
    large_anonymous, html = _queries(client, url)
    assert ja_count(167) in html
    client.force_login(partner)
    large_partner, html = _queries(client, url)
    assert ja_count(500) in html

    assert small_anonymous == large_anonymous == QUERIES_INDEX_ANONYMOUS
    assert small_partner == large_partner == QUERIES_INDEX_PARTNER

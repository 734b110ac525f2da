"""Reading a method or a case study: its sections, related lists, downloads, printing."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories.accounts import PartnerFactory, TraineeFactory
from tests.factories.library import case_study, document, ja, library_index, method

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(site_tree):
    index = library_index(site_tree)
    index.save_revision().publish()
    hidden = method(index, slug="hidden", title="賛同事業者だけの手法", visibility="partners")
    neighbour = method(index, slug="neighbour", title="となりの手法")
    public_doc = document(title="公開ワークシート", filename="sheet.txt")
    partner_doc = document(title="非公開チェックリスト", visibility="partners", filename="list.csv")
    main = method(
        index,
        slug="main",
        title="空き家の活用",
        related=[neighbour, hidden],
        resources_people="面談の担当",
        resources_things="チェックリスト",
        resources_money="交通費",
        downloads=[
            ("document", {"document": public_doc, "title": ""}),
            ("document", {"document": partner_doc, "title": ""}),
        ],
        pitfalls=[("pitfall", {"pitfall": "急ぎすぎる", "how_to_avoid": "待つ"})],
        indicators=[("indicator", {"indicator": "貸した人の数", "how_to_measure": ""})],
        outcomes="<p>部屋が開かれる。</p>",
    )
    case = case_study(index, slug="toshima", title="豊島の事例", methods=[main, hidden])
    hidden_case = case_study(
        index, slug="secret-case", title="非公開の事例", visibility="partners", methods=[main]
    )
    return {
        "index": index,
        "main": main,
        "hidden": hidden,
        "neighbour": neighbour,
        "case": case,
        "hidden_case": hidden_case,
        "public_doc": public_doc,
        "partner_doc": partner_doc,
    }


def test_a_method_shows_its_sections_and_related_methods_at_the_end(client, library):
    html = client.get(library["main"].url).content.decode()
    for heading in (
        "The problem it answers",
        "Steps",
        "Resources needed",
        "Outcomes and indicators",
        "Pitfalls",
        "Downloads",
        "Case studies that used this method",
        "Related methods",
    ):
        assert ja(heading) in html, heading
    assert "面談の担当" in html and "チェックリスト" in html and "交通費" in html
    for label in ("People", "Things", "Money"):  # ひと・もの・かね
        assert f"<dt>{ja(label)}</dt>" in html
    # Related methods come last, and only those the reader may see.
    assert html.index(ja("Related methods")) > html.index(ja("Case studies that used this method"))
    assert "となりの手法" in html and "賛同事業者だけの手法" not in html
    # Case studies that used it: the public one only.
    assert "豊島の事例" in html and "非公開の事例" not in html


def test_downloads_the_reader_may_not_open_are_named_but_not_linked(client, library):
    html = client.get(library["main"].url).content.decode()
    assert library["public_doc"].url in html
    assert library["partner_doc"].url not in html
    assert "非公開チェックリスト" in html and ja("Partners only") in html
    client.force_login(PartnerFactory())
    html = client.get(library["main"].url).content.decode()
    assert library["partner_doc"].url in html


def test_related_lists_follow_the_readers_access(client, library):
    client.force_login(PartnerFactory())
    html = client.get(library["main"].url).content.decode()
    assert "賛同事業者だけの手法" in html and "非公開の事例" in html
    client.force_login(TraineeFactory())
    html = client.get(library["case"].url).content.decode()
    assert "空き家の活用" in html and "賛同事業者だけの手法" not in html


def test_an_unpublished_related_method_is_not_shown(client, library):
    library["neighbour"].unpublish()
    assert "となりの手法" not in client.get(library["main"].url).content.decode()


def test_method_and_case_study_pages_link_the_print_stylesheet(client, library):
    for page in (library["main"], library["case"]):
        html = client.get(page.url).content.decode()
        assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
        assert 'class="print-only library-print-source"' in html
        assert f"http://testserver{page.url}" in html
    css = open(finders.find("css/print.css"), encoding="utf-8").read()
    for hidden in (".site-header", ".site-footer", "nav", "form"):
        assert hidden in css
    assert 'content: " (" attr(href) ")"' in css
    response = client.get("/static/css/print.css")
    assert response.status_code == 200


def test_the_index_and_the_library_are_in_the_menu(client, site_tree):
    index = library_index(site_tree)
    index.show_in_menus = True
    index.save_revision().publish()
    html = client.get("/").content.decode()
    assert 'href="/library/"' in html


def test_a_locked_page_shows_the_partner_text_written_by_editors(client, library):
    index = library["index"]
    index.partner_info = "<p>賛同事業者の募集は協会の窓口へ。</p>"
    index.save_revision().publish()
    response = client.get(library["hidden"].url)
    assert response.status_code == 403
    assert "賛同事業者の募集は協会の窓口へ。" in response.content.decode()


def test_sitemap_lists_the_index_and_public_pages_only(client, library):
    xml = client.get("/sitemap.xml").content.decode()
    assert f"{library['index'].url}</loc>" in xml
    assert f"{library['main'].url}</loc>" in xml
    assert f"{library['case'].url}</loc>" in xml
    assert f"{library['hidden'].url}</loc>" not in xml
    assert f"{library['hidden_case'].url}</loc>" not in xml

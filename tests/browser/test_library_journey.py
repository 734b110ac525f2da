"""The method library (手法ライブラリ), for an anonymous visitor and for a partner.

An anonymous visitor, on a desktop and on a phone: /library/ lists only the public methods
and case studies; a partners-only method opened by its address answers 403 with its title,
its summary and how to become a partner, never its body; its partners-only document answers
403 too; the search does not find it.

The demo partner (a member of the demo partner organisation) logs in through the form →
手法ライブラリ from the header, filtered by a theme of the partners-only method → the method
is listed → 検索 from the header, with a katakana word of the method's summary, then with
the same word in half-width katakana: the method is found, the word in <mark> → the method,
whole → its document downloads → マイリストに保存 → マイリスト lists it. axe-core checks
every kind of page on the way.

What the test looks for is read from the seeded database (the partners-only method with a
partners-only document, its theme, a katakana word of its summary), not copied from the demo
content, so the test follows edits to it.
"""

import re
import unicodedata
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import strip_tags
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from cms.models import LibraryDocument, LibraryPage, MethodIndexPage, MethodPage, SavedItem
from cms.visibility import PARTNERS, PUBLIC
from lms.demo.content import DEMO_PASSWORD

from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations, log_in

pytestmark = pytest.mark.browser

PARTNER_EMAIL = "partner@example.com"
PARTNERS_ONLY = "賛同事業者のみ"  # the badge of a partners-only item
COUNT = "{}件の手法・事例"  # the library's count of results (role=status)
KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}")


def _half_width_table() -> dict[str, str]:
    """Full-width katakana → its half-width spelling (``ガ`` → ``ｶﾞ``), from NFKC itself."""
    table = {}
    for code in range(0xFF66, 0xFF9E):
        half = chr(code)
        table.setdefault(unicodedata.normalize("NFKC", half), half)
        for mark in "\uff9e\uff9f":
            voiced = unicodedata.normalize("NFKC", half + mark)
            if len(voiced) == 1:
                table.setdefault(voiced, half + mark)
    return table


_HALF_WIDTH = _half_width_table()


def half_width(word: str) -> str:
    return "".join(_HALF_WIDTH[char] for char in word)


@dataclass
class DemoLibrary:
    index: MethodIndexPage
    url: str
    method: MethodPage  # partners only, with a partners-only document
    method_url: str
    step_title: str  # the method's first step, part of its body
    document: LibraryDocument  # partners only
    document_url: str
    public_titles: list[str]  # every live item under the index that is public
    hidden_titles: list[str]  # every live item under the index that is not
    theme_slug: str
    theme_label: str
    theme_titles: list[str]  # every live item of the theme (the partner sees all)
    other_titles: list[str]  # live items without the theme
    word: str  # a katakana word of the method's summary


@pytest.fixture
def library(seeded) -> DemoLibrary:
    index = MethodIndexPage.objects.get(locale=Locale.get_default())
    items = LibraryPage.objects.child_of(index).live().order_by("path")
    methods = MethodPage.objects.child_of(index).live().filter(visibility=PARTNERS)
    method, document = next(
        (
            (method, block.value["document"])
            for method in methods.order_by("path")
            for block in method.downloads
            if block.value["document"] is not None
            and block.value["document"].visibility == PARTNERS
        ),
        (None, None),
    )
    assert method is not None, "no partners-only method with a partners-only document"
    theme = method.themes.order_by("sort_order", "name").first()
    assert theme is not None, f"{method.title} has no theme"
    word = next(
        (
            found.group()
            for found in KATAKANA_WORD.finditer(method.summary_text)
            if all(char in _HALF_WIDTH for char in found.group())
        ),
        None,
    )
    assert word, f"no katakana word (with a half-width form) in the summary of {method.title}"
    with_theme = set(items.filter(themes=theme).values_list("title", flat=True))
    library = DemoLibrary(
        index=index,
        url=index.get_url(),
        method=method,
        method_url=method.get_url(),
        step_title=method.steps[0].value["title"],
        document=document,
        document_url=document.url,
        public_titles=[page.title for page in items if page.visibility == PUBLIC],
        hidden_titles=[page.title for page in items if page.visibility != PUBLIC],
        theme_slug=theme.slug,
        theme_label=theme.name,
        theme_titles=[page.title for page in items if page.title in with_theme],
        other_titles=[page.title for page in items if page.title not in with_theme],
        word=word,
    )
    assert library.url == "/library/"
    assert library.public_titles and library.hidden_titles and library.other_titles
    return library


def check_page(page: Page, *, phone: bool = False) -> None:
    if phone:
        assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def item_link(page: Page, title: str):
    return page.locator("main").get_by_role("link", name=title, exact=True)


def has_link(page: Page, title: str):
    """For ``filter(has=...)``: a link looked for inside the filtered element."""
    return page.get_by_role("link", name=title, exact=True)


# --- Anonymous ----------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_anonymous_visitor_sees_public_items_and_only_the_outline_of_partners_pages(
    request, library: DemoLibrary, viewport
):
    phone = viewport == "phone"
    page: Page = request.getfixturevalue("phone_page" if phone else "page")
    main = page.locator("main")

    # The library lists the public items only, and counts them.
    response = page.goto(library.url)
    assert response.status == 200
    expect(main.locator("h1")).to_have_text(library.index.title)
    expect(main.get_by_role("status")).to_have_text(COUNT.format(len(library.public_titles)))
    for title in library.public_titles:
        expect(item_link(page, title)).to_be_visible()
    for title in library.hidden_titles:
        expect(item_link(page, title)).to_have_count(0)
    expect(main).not_to_contain_text(PARTNERS_ONLY)
    public_in_theme = len(set(library.theme_titles) & set(library.public_titles))
    theme_filter = page.get_by_role("form", name="ライブラリの絞り込み").get_by_role(
        "combobox", name="テーマ"
    )
    expect(theme_filter.locator(f"option[value='{library.theme_slug}']")).to_have_text(
        f"{library.theme_label} ({public_in_theme})"
    )
    check_page(page, phone=phone)

    # The partners-only method by its address: 403, what it is and how to get access.
    response = page.goto(library.method_url)
    assert response.status == 403
    assert "private" in response.headers.get("cache-control", "")
    expect(main.locator("h1")).to_have_text(library.method.title)
    expect(main.locator(".lead")).to_have_text(library.method.summary_text)
    expect(main.get_by_role("heading", name="このページは賛同事業者向けです")).to_be_visible()
    expect(main.get_by_role("heading", name="賛同事業者になるには")).to_be_visible()
    # The index's own text (its first paragraph), or the standard one.
    partner_info = unescape(strip_tags(library.index.partner_info.split("</p>")[0])).strip()
    expect(main).to_contain_text(partner_info or "賛同事業者")
    login = main.get_by_role("link", name="ログイン", exact=True)
    expect(login).to_have_attribute("href", re.compile(r"^/accounts/login/\?next=/library/"))
    # Never the body: no step, no download, no save button.
    expect(main).not_to_contain_text(library.step_title)
    expect(main.get_by_role("heading", name="手順")).to_have_count(0)
    expect(main).not_to_contain_text(library.document.title)
    expect(main.locator(f"a[href='{library.document_url}']")).to_have_count(0)
    expect(main.get_by_role("button", name="マイリストに保存")).to_have_count(0)
    check_page(page, phone=phone)

    # Its document by its address: 403, without the file.
    download = page.request.get(library.document_url)
    assert download.status == 403
    assert download.headers["content-type"].startswith("text/html")
    assert "attachment" not in download.headers.get("content-disposition", "")
    body = download.text()
    assert library.document.title in body
    with library.document.file.open("rb") as stored:
        first_line = stored.read().decode("utf-8").splitlines()[0]
    assert first_line not in body

    # The search does not find it either, only the public pages with the word.
    response = page.goto(f"/search/?q={library.word}")
    assert response.status == 200
    expect(main.get_by_role("status")).to_be_visible()
    for title in library.public_titles:
        if library.word in title:
            expect(item_link(page, title)).to_be_visible()
    expect(item_link(page, library.method.title)).to_have_count(0)


# --- The partner --------------------------------------------------------------------------------
def search_for(page: Page, words: str) -> None:
    form = page.locator("main").get_by_role("search")
    form.get_by_role("searchbox", name="検索する言葉").fill(words)
    form.get_by_role("button", name="検索", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/\?(.*&)?q="))


def test_partner_filters_searches_reads_downloads_and_saves_a_partners_only_method(
    page: Page, library: DemoLibrary, tmp_path: Path
):
    main = page.locator("main")
    header = page.locator("header")
    log_in(page, PARTNER_EMAIL, DEMO_PASSWORD)

    # 手法ライブラリ, from the header: everything, partners-only items included.
    header.get_by_role("link", name=library.index.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(library.url)}$"))
    everything = len(library.public_titles) + len(library.hidden_titles)
    expect(main.get_by_role("status")).to_have_text(COUNT.format(everything))
    expect(main.get_by_role("link", name="マイリスト：保存した手法と事例")).to_be_visible()
    check_page(page)

    # Filtered by a theme of the partners-only method.
    filters = page.get_by_role("form", name="ライブラリの絞り込み")
    theme = filters.get_by_role("combobox", name="テーマ")
    theme.select_option(label=f"{library.theme_label} ({len(library.theme_titles)})")
    filters.get_by_role("button", name="表示する").click()
    expect(page).to_have_url(re.compile(rf"/library/\?(.*&)?theme={library.theme_slug}(&|$)"))
    expect(main.get_by_role("status")).to_have_text(COUNT.format(len(library.theme_titles)))
    expect(theme).to_have_value(library.theme_slug)
    card = main.locator("article").filter(has=has_link(page, library.method.title))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(PARTNERS_ONLY)
    expect(card).to_contain_text(library.method.summary_text)
    for title in library.theme_titles:
        expect(item_link(page, title)).to_be_visible()
    for title in library.other_titles:
        expect(item_link(page, title)).to_have_count(0)
    check_page(page)

    # 検索, from the header: a katakana word of the method's summary.
    header.get_by_role("link", name="検索", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/$"))
    expect(main.locator("h1")).to_have_text("手法ライブラリと講座を検索")
    results = main.locator("ol.search-results > li")
    for words in (library.word, half_width(library.word)):
        search_for(page, words)
        expect(main.get_by_role("searchbox", name="検索する言葉")).to_have_value(words)
        expect(main.get_by_role("status")).to_contain_text("件見つかりました")
        hit = results.filter(has=has_link(page, library.method.title))
        expect(hit).to_have_count(1)
        # The words are marked in the text as it is written (full-width), whatever was typed.
        expect(hit.locator("mark").first).to_have_text(library.word)
        check_page(page)
    assert half_width(library.word) != library.word

    # The method, whole.
    hit.get_by_role("link", name=library.method.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(library.method_url)}$"))
    expect(main.locator("h1")).to_have_text(library.method.title)
    expect(main.get_by_role("heading", name="手順", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name=library.step_title, exact=True)).to_be_visible()
    check_page(page)

    # Its partners-only document downloads, as it was stored.
    downloads = main.get_by_role("region", name="ダウンロード")
    link = downloads.get_by_role("link", name=library.document.title)
    expect(link).to_have_attribute("href", library.document_url)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == library.document.filename
    saved_to = tmp_path / download.suggested_filename
    download.save_as(saved_to)
    with library.document.file.open("rb") as stored:
        assert saved_to.read_bytes() == stored.read()

    # マイリストに保存, then マイリスト.
    main.get_by_role("button", name="マイリストに保存", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(library.method_url)}$"))
    expect(main.get_by_role("status")).to_contain_text("マイリストに保存しました。")
    expect(main.get_by_text("マイリストに保存済み", exact=True)).to_be_visible()
    expect(main.get_by_role("button", name="マイリストから削除")).to_be_visible()
    main.get_by_role("link", name="マイリストを見る").click()
    expect(page).to_have_url(re.compile(r"/my-list/$"))
    expect(main.locator("h1")).to_have_text("マイリスト")
    saved = main.locator("li.card").filter(has=has_link(page, library.method.title))
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text(PARTNERS_ONLY)
    check_page(page)

    partner = get_user_model().objects.get(email=PARTNER_EMAIL)
    assert list(SavedItem.objects.filter(user=partner).values_list("page", flat=True)) == [
        library.method.pk
    ]

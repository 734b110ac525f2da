"""Wagtail pages: publish indexes, unpublish and delete unindex, failures only log."""

import json
import logging

import pytest

from cms.models import StandardPage
from cms.textsearch import connect_page_signals, registered, search, streamfield_text
from cms.textsearch.models import IndexEntry

PUBLIC = {"public"}


def _page_options(**overrides):
    options = {
        "title": lambda page: page.title,
        "body": lambda page: streamfield_text(page.body),
        "language": lambda page: page.locale.language_code,
        "live": lambda page: page.live,
    }
    options.update(overrides)
    return options


@pytest.fixture
def pages(site_tree):
    with registered(StandardPage, **_page_options()):
        connect_page_signals(StandardPage)
        yield site_tree


def _draft(home, title, paragraph):
    page = StandardPage(
        title=title,
        slug=f"page-{abs(hash(title)) % 10**8}",
        live=False,
        body=json.dumps([{"type": "paragraph", "value": f"<p>{paragraph}</p>"}]),
    )
    home.add_child(instance=page)
    return page


def _found(query, **kwargs):
    return [hit.object for hit in search(query, visibilities=PUBLIC, **kwargs).hits]


def test_publishing_indexes_the_page_and_its_streamfield(pages):
    page = _draft(pages, "南池袋で続く居場所", "共生型の<b>サロン</b>運営を続けています。")
    assert _found("共生サロン") == []  # a draft is not searchable
    page.save_revision().publish()
    hits = search("共生サロン", visibilities=PUBLIC, language="ja").hits
    assert [hit.object for hit in hits] == [page]
    assert isinstance(hits[0].object, StandardPage)
    assert hits[0].snippet_html == "<mark>共生</mark>型の<mark>サロン</mark>運営を続けています。"


def test_a_new_revision_replaces_the_indexed_text(pages):
    page = _draft(pages, "居場所の記録", "空き家を活用した。")
    page.save_revision().publish()
    page.body = json.dumps([{"type": "paragraph", "value": "<p>閉校を活用した。</p>"}])
    page.save_revision().publish()
    assert _found("空き家") == [] and _found("閉校") == [page]


def test_unpublishing_and_deleting_remove_the_page(pages):
    page = _draft(pages, "空き家の記録", "本文")
    page.save_revision().publish()
    assert _found("空き家") == [page]
    page.refresh_from_db()  # publish() worked on another instance of the page
    page.unpublish()
    assert _found("空き家") == [] and not IndexEntry.objects.exists()
    page.save_revision().publish()
    assert _found("空き家") == [page]
    page.delete()
    assert not IndexEntry.objects.exists()


def test_deleting_a_parent_page_removes_its_descendants(pages):
    parent = _draft(pages, "親ページ", "閉校の活用")
    parent.save_revision().publish()
    parent.refresh_from_db()
    child = _draft(parent, "子ページ", "閉校の校舎")
    child.save_revision().publish()
    assert len(_found("閉校")) == 2
    parent.delete()
    assert _found("閉校") == [] and not IndexEntry.objects.exists()


def test_a_failure_to_index_does_not_break_publishing(site_tree, caplog):
    def broken(page):
        raise RuntimeError("索引を作れません")

    with registered(StandardPage, **_page_options(body=broken)):
        connect_page_signals(StandardPage)
        page = _draft(site_tree, "空き家の記録", "本文")
        with caplog.at_level(logging.ERROR, logger="cms.textsearch"):
            page.save_revision().publish()
    page.refresh_from_db()
    assert page.live
    assert "could not index StandardPage" in caplog.text and "索引を作れません" in caplog.text
    assert not IndexEntry.objects.exists()


def test_unregistering_disconnects_the_signals(site_tree):
    with registered(StandardPage, **_page_options()):
        connect_page_signals(StandardPage)
    page = _draft(site_tree, "空き家の記録", "本文")
    page.save_revision().publish()
    assert not IndexEntry.objects.exists()

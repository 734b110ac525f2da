"""Writing the index: index_object, unindex_object, reindex_all, the command, signals."""

import logging
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from cms.textsearch import (
    connect_model_signals,
    index_object,
    registered,
    reindex_all,
    search,
    unindex_object,
    unregister,
)
from cms.textsearch.models import IndexEntry, IndexFilter, IndexGram

PUBLIC = {"public"}


def _found(query, **kwargs):
    return {hit.object.pk for hit in search(query, visibilities=PUBLIC, **kwargs).hits}


def test_index_object_stores_text_grams_and_filters(documents):
    group = documents.add(
        "ＮＰＯの空き家相談",
        "豊島区の空き家を活用した居場所。",
        filters={"theme": ["housing", "place"]},
    )
    entry = IndexEntry.objects.get(object_id=str(group.pk))
    assert entry.title == "ＮＰＯの空き家相談"
    assert entry.title_norm == "npoの空き家相談"
    assert entry.body_norm == "豊島区の空き家を活用した居場所"
    assert (entry.visibility, entry.language) == ("public", "ja")
    grams = set(IndexGram.objects.filter(entry=entry).values_list("field", "gram"))
    assert (IndexGram.Field.TITLE, "空き") in grams and (IndexGram.Field.BODY, "豊島") in grams
    assert (IndexGram.Field.TITLE, "豊島") not in grams
    assert set(IndexFilter.objects.filter(entry=entry).values_list("key", "value")) == {
        ("theme", "housing"),
        ("theme", "place"),
    }


def test_index_object_is_idempotent(documents, django_assert_max_num_queries):
    group = documents.add("空き家", "豊島区の空き家。", filters={"theme": "housing"})
    rows = IndexGram.objects.count(), IndexFilter.objects.count(), IndexEntry.objects.count()
    # Unchanged text: the entry is saved but grams and filters are left alone.
    with django_assert_max_num_queries(6):
        index_object(group)
    assert (
        IndexGram.objects.count(),
        IndexFilter.objects.count(),
        IndexEntry.objects.count(),
    ) == rows


def test_a_change_replaces_the_old_text(documents):
    group = documents.add("那須の閉校", "校舎をシェアハウスに。")
    assert _found("シェアハウス") == {group.pk}
    documents.change(group, title="那須の廃校", body="校舎を宿泊施設に。")
    assert _found("シェアハウス") == set()
    assert _found("閉校") == set()
    assert _found("宿泊施設") == {group.pk}
    assert _found("廃校") == {group.pk}


def test_changes_of_visibility_language_and_filters_are_indexed(documents):
    group = documents.add("空き家", filters={"theme": "housing"})
    documents.change(group, visibility="partners", language="en", filters={"theme": "place"})
    assert _found("空き家") == set()
    entry = IndexEntry.objects.get(object_id=str(group.pk))
    assert (entry.visibility, entry.language) == ("partners", "en")
    assert list(IndexFilter.objects.filter(entry=entry).values_list("value", flat=True)) == [
        "place"
    ]


def test_an_object_that_is_not_live_leaves_the_index(documents):
    group = documents.add("空き家")
    assert documents.change(group, live=False) and not IndexEntry.objects.exists()
    assert IndexGram.objects.count() == 0 and _found("空き家") == set()


def test_unindex_is_idempotent_and_takes_grams_and_filters_along(documents):
    group = documents.add("空き家", "本文", filters={"theme": "housing"})
    assert unindex_object(group) == 1
    assert unindex_object(group) == 0
    assert not IndexEntry.objects.exists()
    assert not IndexGram.objects.exists() and not IndexFilter.objects.exists()


def test_an_unregistered_model_is_not_indexed(db):
    group = Group.objects.create(name="空き家")
    assert index_object(group) is None
    assert not IndexEntry.objects.exists()


def test_entries_of_a_model_no_longer_registered_are_not_returned(documents):
    documents.add("空き家")
    unregister(Group)
    with registered(Group, title=lambda g: g.name, body=lambda g: ""):
        assert _found("空き家")
    # After unregistering, search ignores the rows, and reindex_all() purges them.
    assert search("空き家", visibilities=PUBLIC).total == 0
    assert reindex_all()["unregistered"] == {"removed": 1}
    assert not IndexEntry.objects.exists()


def test_reindex_all_indexes_everything_and_removes_stale_entries(documents):
    kept = documents.add("空き家の相談", index=False)
    gone = documents.add("閉校の活用")
    hidden = documents.add("那須の宿")
    documents.change(hidden, live=False, index=False)
    gone_pk = gone.pk
    Group.objects.filter(pk=gone_pk).delete()  # bypasses signals: the entry is stale
    report = reindex_all([Group])
    label = Group._meta.label
    assert report[label]["removed"] == 1
    # Every Group but the hidden one (the role groups made after migrate are Groups too).
    assert report[label]["indexed"] == Group.objects.count() - 1
    assert _found("空き家") == {kept.pk}
    assert not IndexEntry.objects.filter(object_id=str(gone_pk)).exists()
    assert not IndexEntry.objects.filter(object_id=str(hidden.pk)).exists()


def test_reindex_all_refuses_a_model_that_is_not_registered(documents):
    from taggit.models import Tag

    with pytest.raises(ValueError, match="not registered"):
        reindex_all([Tag])


def test_the_management_command(documents):
    documents.add("空き家の相談", index=False)
    out = StringIO()
    call_command("textsearch_reindex", "auth.Group", stdout=out)
    assert "auth.Group: indexed" in out.getvalue()
    assert _found("空き家")
    with pytest.raises(CommandError, match="not registered"):
        call_command("textsearch_reindex", "taggit.Tag", stdout=StringIO())
    with pytest.raises(CommandError, match="Unknown model"):
        call_command("textsearch_reindex", "nope.Nothing", stdout=StringIO())


def test_model_signals_keep_the_index_current(documents):
    connect_model_signals(Group)
    group = documents.add("空き家の相談", index=False)  # post_save indexed it
    assert _found("空き家") == {group.pk}
    group.name = "閉校の活用"
    group.save()
    assert _found("空き家") == set() and _found("閉校") == {group.pk}
    group.delete()
    assert not IndexEntry.objects.exists()


def test_a_failure_to_index_is_logged_and_does_not_break_the_save(documents, caplog):
    def broken(group):
        raise RuntimeError("本文を読めません")

    with registered(Group, title=lambda g: g.name, body=broken):
        connect_model_signals(Group)
        with caplog.at_level(logging.ERROR, logger="cms.textsearch"):
            group = Group.objects.create(name="壊れた文書")
    assert Group.objects.filter(pk=group.pk).exists()
    assert "could not index Group" in caplog.text
    assert "本文を読めません" in caplog.text
    assert not IndexEntry.objects.filter(object_id=str(group.pk)).exists()


def test_too_long_filter_values_are_refused(documents):
    with pytest.raises(ValueError, match="values ≤ 200"):
        documents.add("空き家", filters={"theme": "x" * 201})

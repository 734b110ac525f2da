"""Reading the index: search() — visibility, language, filters, ranking, HTML, queries."""

import pytest
from django.contrib.auth.models import Group
from taggit.models import Tag

from cms.textsearch import registered, search
from cms.textsearch.highlight import SNIPPET_LENGTH

PUBLIC = {"public"}


def _titles(results):
    return [hit.object.name for hit in results.hits]


def test_the_issue_example(documents):
    page = documents.add("居場所づくりの記録", "「豊島区の空き家を活用した多世代の居場所」の話。")
    results = search("空き家", visibilities=PUBLIC)
    assert results.total == 1
    assert results.hits[0].object == page
    assert "<mark>空き家</mark>" in results.hits[0].snippet_html


def test_partners_pages_are_never_shown_to_the_public(documents):
    public = documents.add("空き家の相談会", "誰でも参加できます。")
    partners = documents.add("空き家改修の見積もり", "協力団体向け。", visibility="partners")
    documents.add("空き家の内部資料", "職員向け。", visibility="staff")
    assert {h.object for h in search("空き家", visibilities=PUBLIC)} == {public}
    assert {h.object for h in search("空き家", visibilities={"public", "partners"})} == {
        public,
        partners,
    }
    assert search("空き家", visibilities=PUBLIC).total == 1
    assert search("空き家", visibilities=set()).total == 0


def test_language(documents):
    ja = documents.add("空き家の活用", "日本語の本文")
    en = documents.add("Vacant houses", "空き家 in English", language="en")
    assert {h.object for h in search("空き家", visibilities=PUBLIC, language="ja")} == {ja}
    assert {h.object for h in search("空き家", visibilities=PUBLIC, language="en")} == {en}
    assert {h.object for h in search("空き家", visibilities=PUBLIC)} == {ja, en}


def test_filters_combine_with_the_query(documents):
    housing = documents.add("空き家の活用", filters={"theme": ["housing", "place"], "level": 1})
    place = documents.add("空き家で開くサロン", filters={"theme": "place", "level": 2})
    documents.add("閉校の活用", filters={"theme": "housing"})

    def found(**filters):
        return {h.object for h in search("空き家", visibilities=PUBLIC, filters=filters)}

    assert found(theme="housing") == {housing}
    assert found(theme="place") == {housing, place}
    assert found(theme=["housing", "welfare"]) == {housing}  # a list: any of its values
    assert found(theme="place", level=2) == {place}  # keys combine with AND
    assert found(theme="welfare") == set()
    assert found(theme=None) == found(theme="") == found(theme=[]) == {housing, place}


def test_models_restricts_the_search(documents):
    group = documents.add("空き家の相談")
    tag = Tag.objects.create(name="空き家の相談会", slug="akiya")
    with registered(Tag, title=lambda t: t.name, body=lambda t: ""):
        from cms.textsearch import index_object

        index_object(tag)
        assert {h.object for h in search("空き家", visibilities=PUBLIC)} == {group, tag}
        assert {h.object for h in search("空き家", visibilities=PUBLIC, models=[Tag])} == {tag}
    with pytest.raises(ValueError, match="not registered"):
        search("空き家", visibilities=PUBLIC, models=[Tag])


def test_a_title_match_ranks_above_body_matches(documents):
    documents.add("地域の記録", "空き家、空き家、空き家、空き家。空き家が五回。")
    documents.add("空き家の活用", "本文には出てこない。")
    documents.add("別の記録", "空き家が一回。")
    results = search("空き家", visibilities=PUBLIC)
    assert _titles(results) == ["空き家の活用", "地域の記録", "別の記録"]
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1] > scores[2]


def test_contiguous_ranks_above_split_and_ties_go_by_title(documents):
    documents.add("記録い", "共生型のサロン運営。")
    documents.add("記録あ", "共生型のサロン運営。")
    documents.add("記録う", "共生サロン運営。")
    assert _titles(search("共生サロン", visibilities=PUBLIC)) == ["記録う", "記録あ", "記録い"]


def test_every_term_must_match(documents):
    both = documents.add("那須の閉校", "校舎の活用。")
    documents.add("那須の農泊", "田植え体験。")
    documents.add("閉校の活用", "豊島区の例。")
    assert {h.object for h in search("那須　閉校", visibilities=PUBLIC)} == {both}


def test_single_character_terms_match_by_substring(documents):
    house = documents.add("家の記録", "本文")
    documents.add("畑の記録", "本文")
    kana = documents.add("カの記録", "本文")
    assert {h.object for h in search("家", visibilities=PUBLIC)} == {house}
    assert {h.object for h in search("か", visibilities=PUBLIC)} == {kana}
    assert {h.object for h in search("家 記録", visibilities=PUBLIC)} == {house}


def test_snippets_and_titles_are_escaped_and_marked(documents):
    documents.add(
        "<b>空き家</b>と<script>",
        '前置き<script>alert("x")</script>豊島区の空き家を活用した & "居場所"。',
    )
    hit = search("空き家", visibilities=PUBLIC).hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>空き家</mark>&lt;/b&gt;と&lt;script&gt;"
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hit.snippet_html
    assert "<mark>空き家</mark>を活用した &amp; &quot;居場所&quot;" in hit.snippet_html


def test_a_script_in_the_query_is_harmless(documents):
    documents.add("script の説明", "<script> タグについて")
    hit = search("<script>", visibilities=PUBLIC).hits[0]
    assert "<script>" not in hit.snippet_html and "<mark>script</mark>" in hit.snippet_html


def test_snippets_quote_the_original_text_around_the_first_match(documents):
    body = "あ" * 300 + "ｻﾛﾝを開く。" + "い" * 300
    documents.add("長い記録", body)
    snippet = search("サロン", visibilities=PUBLIC).hits[0].snippet_html
    assert "<mark>ｻﾛﾝ</mark>を開く" in snippet  # the original half-width text
    assert snippet.startswith("…") and snippet.endswith("…")
    text = snippet.replace("<mark>", "").replace("</mark>", "")
    assert SNIPPET_LENGTH <= len(text) <= SNIPPET_LENGTH + 2


def test_split_matches_are_marked_part_by_part(documents):
    documents.add("記録", "南池袋で共生型のサロン運営を続ける。")
    snippet = search("共生サロン", visibilities=PUBLIC).hits[0].snippet_html
    assert snippet == "南池袋で<mark>共生</mark>型の<mark>サロン</mark>運営を続ける。"


def test_a_title_only_match_shows_the_start_of_the_body(documents):
    documents.add("空き家の活用", "最初の一文です。" * 30)
    snippet = search("空き家", visibilities=PUBLIC).hits[0].snippet_html
    assert snippet.startswith("最初の一文です。") and snippet.endswith("…")
    assert "<mark>" not in snippet


def test_paging(documents):
    for n in range(5):
        documents.add(f"空き家{n}", "本文")
    first = search("空き家", visibilities=PUBLIC, limit=2)
    third = search("空き家", visibilities=PUBLIC, limit=2, offset=4)
    assert first.total == third.total == 5
    assert _titles(first) == ["空き家0", "空き家1"] and _titles(third) == ["空き家4"]


def test_an_empty_query_finds_nothing_without_a_query(documents, django_assert_num_queries):
    documents.add("空き家")
    with django_assert_num_queries(0):
        assert search("", visibilities=PUBLIC).total == 0
        assert search(" 、。 ", visibilities=PUBLIC).total == 0
        assert search("空き家", visibilities=set()).total == 0


def test_a_deleted_object_with_a_stale_entry_is_skipped(documents):
    group = documents.add("空き家")
    Group.objects.filter(pk=group.pk).delete()  # no signals connected: the entry stays
    results = search("空き家", visibilities=PUBLIC)
    assert results.hits == []


@pytest.mark.parametrize("size", [10, 200])
def test_query_count_does_not_grow_with_the_index(documents, django_assert_num_queries, size):
    for n in range(size):
        documents.add(
            f"居場所の記録{n:03d}",
            "豊島区の空き家を活用した。" if n % 2 else "共生型のサロン運営。",
            filters={"theme": "housing"},
        )
    search("空き家", visibilities=PUBLIC)  # content types are cached once per process
    # candidates + bodies of this page + one query for the Groups
    with django_assert_num_queries(3):
        results = search("空き家 豊島区", visibilities=PUBLIC, filters={"theme": "housing"})
    assert results.total == size // 2 and len(results.hits) == min(20, size // 2)
    with django_assert_num_queries(3):
        results = search("共生サロン", visibilities=PUBLIC, language="ja", limit=50)
    assert results.total == size // 2


@pytest.mark.parametrize("size", [10, 200])
def test_one_more_query_per_model_among_the_hits(documents, django_assert_num_queries, size):
    from cms.textsearch import index_object

    with registered(Tag, title=lambda t: t.name, body=lambda t: ""):
        for n in range(size):
            documents.add(f"空き家の記録{n:03d}")
            index_object(Tag.objects.create(name=f"空き家{n:03d}", slug=f"akiya-{n}"))
        search("空き家", visibilities=PUBLIC)
        with django_assert_num_queries(4):
            results = search("空き家", visibilities=PUBLIC, limit=2 * size)
        assert results.total == 2 * size
        assert {type(hit.object) for hit in results.hits} == {Group, Tag}


def test_visibilities_must_be_a_set_not_a_string(documents):
    with pytest.raises(TypeError, match="set of strings"):
        search("空き家", visibilities="public")

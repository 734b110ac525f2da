"""Normalisation, the matching rules and text extraction (no database)."""

import pytest
from wagtail import blocks
from wagtail.rich_text import RichText

from cms.textsearch import html_to_text, normalize, streamfield_text
from cms.textsearch.matching import MAX_GAP, match_term, required_grams
from cms.textsearch.normalize import bigrams, normalize_with_offsets, split_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ｻﾛﾝ", "サロン"),
        ("ﾃﾞｲｻｰﾋﾞｽ", "デイサービス"),
        ("ＡＢＣ　ｄｅｆ", "abc def"),
        ("２０２４年", "2024年"),
        ("NPO法人", "npo法人"),
        ("ひと・もの・かね", "ひと もの かね"),
        ("「共生」サロン！", "共生 サロン"),
        ("  前後の  空白\t", "前後の 空白"),
        ("一文目。二文目", "一文目\n二文目"),
        ("改行\n\n  次", "改行\n次"),
        ("soft\u00adhyphen", "softhyphen"),
        ("Straße", "strasse"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_katakana_stays_katakana_in_the_stored_text():
    assert normalize("サロン") == "サロン"
    assert bigrams("サロン") == bigrams("さろん") == {"さろ", "ろん"}


def test_offsets_point_back_to_the_original_text():
    text = "ＮＰＯの「ｻﾛﾝ」運営"
    norm, starts, ends = normalize_with_offsets(text)
    assert norm == "npoの サロン 運営"
    position = norm.index("サロン")
    original = text[starts[position] : ends[position + len("サロン") - 1]]
    assert original == "ｻﾛﾝ"
    assert len(starts) == len(ends) == len(norm)


def test_split_terms_splits_on_spaces_and_punctuation_and_drops_repeats():
    assert split_terms(" 那須　閉校、那須 ") == ["那須", "閉校"]
    assert split_terms("・。「」") == []


def test_bigrams_never_cross_a_separator():
    assert bigrams(normalize("ひと・もの")) == {"ひと", "もの"}


def _matches(term, text):
    return bool(match_term(normalize(term), normalize(text)))


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("空き家", "豊島区の空き家を活用した"),
        ("共生サロン", "共生型のサロン運営"),
        ("空き家活用", "空き家を活用した"),
        ("ひとものかね", "ひと・もの・かね"),
        ("さろん", "サロン"),
        ("ヒトモノカネ", "ひと・もの・かね"),
        ("ｻﾛﾝ", "サロン"),
        ("サロン", "ｻﾛﾝ"),
    ],
)
def test_matches(term, text):
    assert _matches(term, text)


@pytest.mark.parametrize(
    ("term", "text", "why"),
    [
        ("空き家", "空き地の家", "three characters cannot be split"),
        ("共生サロン", "地域共生社会。サロンは", "a sentence break between the parts"),
        ("共生サロン", "サロンと共生", "parts out of order"),
        ("共生サロン", "共生" + "あ" * (MAX_GAP + 1) + "サロン", "parts too far apart"),
        ("地域サロン", "地域のマルシェに、サロンの参加者", "seven characters apart (limit 6)"),
        ("ケア", "助けあい", "two-character katakana does not match hiragana"),
        ("京", "東", "different characters"),
    ],
)
def test_does_not_match(term, text, why):
    assert not _matches(term, text), why


def test_the_gap_limit_is_inclusive():
    assert _matches("共生サロン", "共生" + "あ" * MAX_GAP + "サロン")


def test_contiguous_weighs_more_than_split():
    contiguous = match_term(normalize("共生サロン"), normalize("共生サロン"))
    split = match_term(normalize("共生サロン"), normalize("共生型のサロン"))
    assert contiguous.weight == 1 and split.weight == 0.5


def test_required_grams_leave_out_bigrams_a_split_may_cut():
    assert required_grams(normalize("空き家")) == {"空き", "き家"}
    assert required_grams(normalize("共生サロン")) == {"共生", "ろん"}


def test_html_to_text_keeps_block_boundaries_and_decodes_entities():
    html = "<h2>見出し</h2><p>一段落&amp;<b>太字</b></p><p>二段落<br/>改行</p><script>x</script>"
    assert html_to_text(html).split("\n")[:4] == ["見出し", "一段落&太字", "二段落", "改行"]


def test_streamfield_text_reads_text_blocks_and_skips_the_rest():
    block = blocks.StreamBlock(
        [
            ("paragraph", blocks.RichTextBlock()),
            (
                "heading",
                blocks.StructBlock(
                    [
                        ("text", blocks.CharBlock()),
                        ("level", blocks.ChoiceBlock(choices=[("h2", "H2")])),
                    ]
                ),
            ),
            ("items", blocks.ListBlock(blocks.TextBlock())),
            ("hidden", blocks.CharBlock(search_index=False)),
            ("link", blocks.URLBlock()),
        ]
    )
    value = block.to_python(
        [
            {"type": "paragraph", "value": "<p>空き家を<b>活用</b>した</p><p>居場所</p>"},
            {"type": "heading", "value": {"text": "那須の閉校", "level": "h2"}},
            {"type": "items", "value": ["ひと", "もの"]},
            {"type": "hidden", "value": "秘密"},
            {"type": "link", "value": "https://example.com/"},
        ]
    )
    assert streamfield_text(value).split("\n") == [
        "空き家を活用した",
        "居場所",
        "那須の閉校",
        "ひと",
        "もの",
    ]


def test_streamfield_text_accepts_rich_text_and_html_strings():
    assert streamfield_text(RichText("<p>共生&lt;サロン&gt;</p>")) == "共生<サロン>"
    assert streamfield_text("<p>本文</p>") == "本文"
    assert streamfield_text(None) == ""

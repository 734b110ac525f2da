"""The grading engine, driven by a table of (question, response, expected score) cases."""

import json
from decimal import Decimal

import pytest

from lms.assessments.grading import (
    Grade,
    attempt_percentage,
    grade_response,
    normalise_text,
    parse_number,
    public_question,
    round_score,
)


def single(points="2"):
    return {
        "id": "q-single",
        "type": "single",
        "text": "<p>日本で一番高い山は？</p>",
        "points": points,
        "category": "geo",
        "feedback": "<p>富士山は3776m です。</p>",
        "explanation": "<p>静岡県と山梨県にまたがります。</p>",
        "choices": [
            {"id": "c1", "text": "富士山", "correct": True, "feedback": "正解です"},
            {"id": "c2", "text": "北岳", "correct": False, "feedback": "二番目です"},
            {"id": "c3", "text": "奥穂高岳", "correct": False, "feedback": ""},
        ],
    }


def true_false(answer=True):
    return {
        "id": "q-tf",
        "type": "true_false",
        "text": "<p>地域おこし協力隊は総務省の制度である。</p>",
        "points": "1",
        "feedback": "",
        "explanation": "<p>2009年度に始まりました。</p>",
        "choices": [
            {"id": "true", "text": "正しい", "correct": answer, "feedback": "f-true"},
            {"id": "false", "text": "誤り", "correct": not answer, "feedback": "f-false"},
        ],
    }


def multiple(scoring, points="3"):
    """Three correct choices (a, b, c) and two wrong ones (x, y)."""
    return {
        "id": "q-multi",
        "type": "multiple",
        "text": "<p>地域資源に当たるものをすべて選んでください。</p>",
        "points": points,
        "scoring": scoring,
        "feedback": "<p>general</p>",
        "explanation": "",
        "choices": [
            {"id": "a", "text": "温泉", "correct": True, "feedback": "fa"},
            {"id": "x", "text": "為替相場", "correct": False, "feedback": "fx"},
            {"id": "b", "text": "伝統工芸", "correct": True, "feedback": "fb"},
            {"id": "c", "text": "郷土料理", "correct": True, "feedback": "fc"},
            {"id": "y", "text": "株価指数", "correct": False, "feedback": "fy"},
        ],
    }


def short(accepted, kana=False, points="2"):
    return {
        "id": "q-short",
        "type": "short_answer",
        "text": "<p>答えを入力してください。</p>",
        "points": points,
        "accepted_answers": accepted,
        "kana_insensitive": kana,
        "feedback": "",
        "explanation": "<p>解説</p>",
    }


def numeric(answer="12.5", tolerance="0.5", points="2"):
    return {
        "id": "q-num",
        "type": "numeric",
        "text": "<p>数値で答えてください。</p>",
        "points": points,
        "answer": answer,
        "tolerance": tolerance,
        "feedback": "",
        "explanation": "",
    }


def ordering(scoring, points="4"):
    return {
        "id": "q-order",
        "type": "ordering",
        "text": "<p>企画の手順に並べ替えてください。</p>",
        "points": points,
        "scoring": scoring,
        "items": [
            {"id": "i1", "text": "調査"},
            {"id": "i2", "text": "企画"},
            {"id": "i3", "text": "実行"},
            {"id": "i4", "text": "振り返り"},
        ],
        "display_order": ["i3", "i1", "i4", "i2"],
        "feedback": "",
        "explanation": "",
    }


def essay(points="10"):
    return {
        "id": "q-essay",
        "type": "essay",
        "text": "<p>あなたの地域の課題を一つ挙げ、解決策を述べてください。</p>",
        "points": points,
        "rubric": "<p>課題の具体性 5点、解決策の実現性 5点</p>",
        "feedback": "",
        "explanation": "",
    }


D = Decimal

# (name, question, response, expected score, expected correct)
CASES = [
    # single choice
    ("single right", single(), {"choice": "c1"}, D("2.00"), True),
    ("single wrong", single(), {"choice": "c2"}, D("0.00"), False),
    ("single unknown id", single(), {"choice": "zzz"}, D("0.00"), False),
    ("single empty", single(), {}, D("0.00"), False),
    ("single null choice", single(), {"choice": None}, D("0.00"), False),
    ("single fractional points", single(points="1.5"), {"choice": "c1"}, D("1.50"), True),
    # true / false
    ("true/false true right", true_false(True), {"choice": "true"}, D("1.00"), True),
    ("true/false true wrong", true_false(True), {"choice": "false"}, D("0.00"), False),
    ("true/false false right", true_false(False), {"choice": "false"}, D("1.00"), True),
    ("true/false empty", true_false(True), {}, D("0.00"), False),
    # multiple, all or nothing
    ("multi aon exact", multiple("all_or_nothing"), {"choices": ["c", "a", "b"]}, D("3.00"), True),
    ("multi aon missing one", multiple("all_or_nothing"), {"choices": ["a", "b"]}, D("0"), False),
    (
        "multi aon one extra",
        multiple("all_or_nothing"),
        {"choices": ["a", "b", "c", "x"]},
        D("0"),
        False,
    ),
    (
        "multi aon duplicates",
        multiple("all_or_nothing"),
        {"choices": ["a", "a", "b", "c"]},
        D("3"),
        True,
    ),
    ("multi aon empty", multiple("all_or_nothing"), {}, D("0.00"), False),
    ("multi aon empty list", multiple("all_or_nothing"), {"choices": []}, D("0.00"), False),
    # multiple, proportional: +3/3 per correct pick, -3/2 per wrong pick, clamped to [0, 3]
    (
        "multi prop all correct",
        multiple("proportional"),
        {"choices": ["a", "b", "c"]},
        D("3.00"),
        True,
    ),
    (
        "multi prop two of three",
        multiple("proportional"),
        {"choices": ["a", "b"]},
        D("2.00"),
        False,
    ),
    ("multi prop one of three", multiple("proportional"), {"choices": ["b"]}, D("1.00"), False),
    (
        "multi prop 3 right 1 wrong",
        multiple("proportional"),
        {"choices": ["a", "b", "c", "y"]},
        D("1.50"),
        False,
    ),
    (
        "multi prop 2 right 1 wrong",
        multiple("proportional"),
        {"choices": ["a", "b", "x"]},
        D("0.50"),
        False,
    ),
    (
        "multi prop clamped at 0",
        multiple("proportional"),
        {"choices": ["a", "x", "y"]},
        D("0.00"),
        False,
    ),
    ("multi prop only wrong", multiple("proportional"), {"choices": ["x"]}, D("0.00"), False),
    (
        "multi prop select all is 0",
        multiple("proportional"),
        {"choices": list("axbcy")},
        D("0.00"),
        False,
    ),
    (
        "multi prop unknown ids ignored",
        multiple("proportional"),
        {"choices": ["a", "zz"]},
        D("1.00"),
        False,
    ),
    # 2 points over 3 correct choices: 0.666.. rounds half up to 0.67, 1.333.. to 1.33
    (
        "multi prop thirds round",
        multiple("proportional", "2"),
        {"choices": ["a"]},
        D("0.67"),
        False,
    ),
    (
        "multi prop thirds round 2",
        multiple("proportional", "2"),
        {"choices": ["a", "c"]},
        D("1.33"),
        False,
    ),
    ("multi prop empty", multiple("proportional"), {}, D("0.00"), False),
    # short answer: NFKC, trimming, case folding, optional kana
    ("short exact", short(["富士山"]), {"text": "富士山"}, D("2.00"), True),
    ("short second accepted", short(["Mt. Fuji", "富士山"]), {"text": "富士山"}, D("2"), True),
    ("short trimmed", short(["富士山"]), {"text": "  富士山\u3000\n"}, D("2.00"), True),
    ("short case folded", short(["Tokyo"]), {"text": "TOKYO"}, D("2.00"), True),
    ("short case folded accepted", short(["TOKYO"]), {"text": "tokyo"}, D("2.00"), True),
    ("short full-width letters", short(["Tokyo"]), {"text": "ＴＯＫＹＯ"}, D("2.00"), True),
    ("short full-width digits", short(["2025"]), {"text": "２０２５"}, D("2.00"), True),
    ("short full-width in accepted", short(["６次産業化"]), {"text": "6次産業化"}, D("2.00"), True),
    ("short half-width katakana", short(["カタカナ"]), {"text": "ｶﾀｶﾅ"}, D("2.00"), True),
    ("short half-width dakuten", short(["ガイド"]), {"text": "ｶﾞｲﾄﾞ"}, D("2.00"), True),
    ("short inner spaces collapse", short(["Mt. Fuji"]), {"text": "Mt.   Fuji"}, D("2"), True),
    ("short kana differ when strict", short(["ふるさと"]), {"text": "フルサト"}, D("0.00"), False),
    ("short kana insensitive", short(["ふるさと"], kana=True), {"text": "フルサト"}, D("2"), True),
    (
        "short kana insensitive reverse",
        short(["フルサト"], kana=True),
        {"text": "ふるさと"},
        D("2"),
        True,
    ),
    ("short kana + half-width", short(["ふるさと"], kana=True), {"text": "ﾌﾙｻﾄ"}, D("2.00"), True),
    (
        "short kana long vowel",
        short(["ろーかる"], kana=True),
        {"text": "ローカル"},
        D("2.00"),
        True,
    ),
    ("short wrong", short(["富士山"]), {"text": "北岳"}, D("0.00"), False),
    ("short partial is wrong", short(["富士山"]), {"text": "富士"}, D("0.00"), False),
    ("short empty", short(["富士山"]), {}, D("0.00"), False),
    ("short blank", short(["富士山"]), {"text": "   "}, D("0.00"), False),
    (
        "short blank never matches blank accepted",
        short(["", "富士山"]),
        {"text": " "},
        D("0"),
        False,
    ),
    # numeric with tolerance
    ("numeric exact", numeric(), {"value": "12.5"}, D("2.00"), True),
    ("numeric at upper tolerance", numeric(), {"value": "13.0"}, D("2.00"), True),
    ("numeric at lower tolerance", numeric(), {"value": "12"}, D("2.00"), True),
    ("numeric just above", numeric(), {"value": "13.01"}, D("0.00"), False),
    ("numeric just below", numeric(), {"value": "11.999"}, D("0.00"), False),
    ("numeric full-width", numeric(), {"value": "１２．５"}, D("2.00"), True),
    ("numeric full-width minus", numeric("-3", "0"), {"value": "－３"}, D("2.00"), True),
    ("numeric unicode minus", numeric("-3", "0"), {"value": "\u22123"}, D("2.00"), True),
    ("numeric thousands", numeric("1234.5", "0"), {"value": "1,234.5"}, D("2.00"), True),
    (
        "numeric full-width thousands",
        numeric("1234567", "0"),
        {"value": "１，２３４，５６７"},
        D("2"),
        True,
    ),
    ("numeric decimal comma refused", numeric("12.5", "0"), {"value": "12,5"}, D("0.00"), False),
    ("numeric bad grouping refused", numeric("1234", "0"), {"value": "12,34"}, D("0.00"), False),
    ("numeric no tolerance exact", numeric("3", ""), {"value": "3.0"}, D("2.00"), True),
    ("numeric no tolerance off", numeric("3", ""), {"value": "3.001"}, D("0.00"), False),
    ("numeric spaces", numeric(), {"value": " 12.5 "}, D("2.00"), True),
    ("numeric unparsable words", numeric(), {"value": "約12"}, D("0.00"), False),
    ("numeric unparsable unit", numeric(), {"value": "12.5kg"}, D("0.00"), False),
    ("numeric unparsable exponent", numeric("1000", "0"), {"value": "1e3"}, D("0.00"), False),
    ("numeric nan", numeric(), {"value": "NaN"}, D("0.00"), False),
    ("numeric infinity", numeric(), {"value": "Infinity"}, D("0.00"), False),
    ("numeric empty string", numeric(), {"value": ""}, D("0.00"), False),
    ("numeric empty", numeric(), {}, D("0.00"), False),
    ("numeric leading dot", numeric("0.5", "0"), {"value": ".5"}, D("2.00"), True),
    # ordering
    (
        "order aon right",
        ordering("all_or_nothing"),
        {"order": ["i1", "i2", "i3", "i4"]},
        D("4"),
        True,
    ),
    (
        "order aon one swap",
        ordering("all_or_nothing"),
        {"order": ["i2", "i1", "i3", "i4"]},
        D("0"),
        False,
    ),
    (
        "order aon display order",
        ordering("all_or_nothing"),
        {"order": ["i3", "i1", "i4", "i2"]},
        D(0),
        False,
    ),
    (
        "order aon too short",
        ordering("all_or_nothing"),
        {"order": ["i1", "i2", "i3"]},
        D("0"),
        False,
    ),
    ("order aon empty", ordering("all_or_nothing"), {}, D("0.00"), False),
    (
        "order prop right",
        ordering("proportional"),
        {"order": ["i1", "i2", "i3", "i4"]},
        D("4"),
        True,
    ),
    (
        "order prop two in place",
        ordering("proportional"),
        {"order": ["i2", "i1", "i3", "i4"]},
        D("2"),
        False,
    ),
    (
        "order prop three in place",
        ordering("proportional", "3"),
        {"order": ["i1", "i2", "i4", "i3"]},
        D("1.50"),
        False,
    ),
    (
        "order prop none in place",
        ordering("proportional"),
        {"order": ["i4", "i3", "i2", "i1"]},
        D("0"),
        False,
    ),
    ("order prop too short", ordering("proportional"), {"order": ["i1"]}, D("1.00"), False),
    ("order prop empty", ordering("proportional"), {"order": []}, D("0.00"), False),
    # essay: empty scores 0 at once
    ("essay empty", essay(), {}, D("0.00"), False),
    ("essay blank", essay(), {"text": " \u3000\n"}, D("0.00"), False),
]


@pytest.mark.parametrize(
    ("question", "response", "expected", "correct"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_grade_table(question, response, expected, correct):
    grade = grade_response(question, response)
    assert grade.score == expected
    assert grade.score.as_tuple().exponent == -2  # two decimals, always
    assert grade.max_score == round_score(question["points"])
    assert grade.needs_manual is False
    assert grade.correct is correct


def test_every_type_is_in_the_table():
    types = {case[1]["type"] for case in CASES} | {"essay"}
    assert types == {
        "single",
        "multiple",
        "true_false",
        "short_answer",
        "numeric",
        "ordering",
        "essay",
    }


def test_essay_with_text_waits_for_an_instructor():
    grade = grade_response(essay("10"), {"text": "空き家を活用した交流拠点をつくる。"})
    assert grade == Grade(score=None, max_score=D("10.00"), needs_manual=True, correct=None)


def test_unknown_type_is_refused():
    with pytest.raises(ValueError, match="Unknown question type"):
        grade_response({"id": "q", "type": "matching", "points": "1"}, {})


def test_a_response_that_is_not_a_dict_scores_zero():
    assert grade_response(single(), None).score == D("0.00")


@pytest.mark.parametrize(
    ("text", "kana", "expected"),
    [
        ("  Ｈｅｌｌｏ　Ｗｏｒｌｄ ", False, "hello world"),
        ("ｶﾀｶﾅ", False, "カタカナ"),
        ("ｶﾀｶﾅ", True, "かたかな"),
        ("ヴァイオリン", True, "ゔぁいおりん"),
        ("ヽヾ", True, "ゝゞ"),
        ("Straße", False, "strasse"),
        ("①２③", False, "123"),
        ("\ufeff富士\u200b山\u200b", False, "富士山"),
        ("", True, ""),
    ],
)
def test_normalise_text(text, kana, expected):
    assert normalise_text(text, kana_insensitive=kana) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.5", D("12.5")),
        ("１２．５", D("12.5")),
        ("-0.25", D("-0.25")),
        ("+7", D("7")),
        ("1,000", D("1000")),
        ("1,000,000.75", D("1000000.75")),
        ("1,00", None),
        ("12,5", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1.2.3", None),
        ("--1", None),
        ("1e5", None),
    ],
)
def test_parse_number(typed, expected):
    assert parse_number(typed) == expected


# Keys and values that would tell a trainee the answer before the review policy allows it.
REVEALING_KEYS = {
    "correct",
    "feedback",
    "explanation",
    "accepted_answers",
    "answer",
    "tolerance",
    "rubric",
}
EVERY_TYPE = [
    single(),
    true_false(),
    multiple("proportional"),
    short(["ふるさと", "故郷"], kana=True),
    numeric(),
    ordering("proportional"),
    essay(),
]


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _revealing_values(question):
    values = [
        question.get(key) for key in ("feedback", "explanation", "answer", "tolerance", "rubric")
    ]
    values += question.get("accepted_answers", [])
    values += [choice.get("feedback") for choice in question.get("choices", [])]
    return [value for value in values if value]


@pytest.mark.parametrize("question", EVERY_TYPE, ids=[q["type"] for q in EVERY_TYPE])
def test_public_question_removes_every_revealing_key(question):
    public = public_question(question)
    assert not set(_keys(public)) & REVEALING_KEYS
    dumped = json.dumps(public, ensure_ascii=False)
    for secret in _revealing_values(question):
        assert json.dumps(secret, ensure_ascii=False) not in dumped, secret
    # What the trainee needs to answer stays.
    assert public["id"] == question["id"]
    assert public["type"] == question["type"]
    assert public["text"] == question["text"]
    assert public["points"] == question["points"]
    if "choices" in question:
        assert public["choices"] == [
            {"id": c["id"], "text": c["text"]} for c in question["choices"]
        ]
    # The snapshot itself is left alone.
    assert "explanation" in question


def test_public_ordering_lists_items_in_display_order_not_correct_order():
    public = public_question(ordering("all_or_nothing"))
    assert [item["id"] for item in public["items"]] == ["i3", "i1", "i4", "i2"]
    assert public["display_order"] == ["i3", "i1", "i4", "i2"]
    assert public["items"][0] == {"id": "i3", "text": "実行"}


def test_public_ordering_without_display_order_does_not_fall_back_to_the_correct_order():
    question = ordering("all_or_nothing")
    question["items"] = [
        {"id": "m", "text": "1"},
        {"id": "b", "text": "2"},
        {"id": "z", "text": "3"},
    ]
    question["display_order"] = ["z"]
    public = public_question(question)
    assert [item["id"] for item in public["items"]] == ["z", "b", "m"]


def test_public_question_drops_keys_added_later():
    question = single()
    question["corrected"] = {"choices": [{"id": "c2", "correct": True}]}
    assert "corrected" not in public_question(question)


@pytest.mark.parametrize(
    ("scores", "maxima", "expected"),
    [
        ([D("2"), D("1")], [D("2"), D("2")], D("75.00")),
        ([D("1"), D("0")], [D("3"), D("0")], D("33.33")),
        ([D("2"), D("0")], [D("3"), D("0")], D("66.67")),
        ([D("0.5")], [D("0.75")], D("66.67")),
        ([], [], D("0.00")),
        ([D("0")], [D("0")], D("0.00")),
        ([D("3"), None], [D("3"), D("3")], D("50.00")),
        ([D("5")], [D("4")], D("100.00")),
        ([D("1")], [D("8")], D("12.50")),
    ],
)
def test_attempt_percentage(scores, maxima, expected):
    result = attempt_percentage(scores, maxima)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_grade_is_frozen():
    grade = grade_response(single(), {"choice": "c1"})
    with pytest.raises(AttributeError):
        grade.score = D("0")


def test_public_numeric_keeps_the_unit_the_trainee_answers_in():
    question = {**numeric(), "unit": "人"}
    public = public_question(question)
    assert public["unit"] == "人"
    assert "answer" not in public and "tolerance" not in public

"""The dashboard's SVG builders: pure functions, read back as XML."""

import xml.etree.ElementTree as ET

from lms.reports.cohorts.charts import Bar, Series, columns_svg, funnel_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))


def texts(root, tag="text"):
    return [element.text for element in root.iter(f"{SVG}{tag}")]


def test_the_funnel_is_an_image_named_by_its_title_and_description():
    root = parse(
        funnel_svg(
            [Bar("受講者", 10, "10人（100%）"), Bar("開始", 5, "5人（50%）")],
            title="修了までの流れ",
            description="各段階の人数",
            id_prefix="f1",
        )
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "f1-title f1-desc"
    assert root.find(f"{SVG}title").get("id") == "f1-title"
    assert root.find(f"{SVG}title").text == "修了までの流れ"
    assert root.find(f"{SVG}desc").get("id") == "f1-desc"
    assert root.find(f"{SVG}desc").text == "各段階の人数"


def test_funnel_bars_are_proportional_to_the_first_and_every_number_is_written():
    root = parse(
        funnel_svg(
            [Bar("A", 8, "8 (100%)"), Bar("B", 2, "2 (25%)"), Bar("C", 0, "0 (0%)")],
            title="t",
            description="d",
        )
    )
    groups = root.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in groups] == [
        "A: 8 (100%)",
        "B: 2 (25%)",
        "C: 0 (0%)",
    ]
    # Each group: the track (the whole) then the bar.
    widths = [[float(r.get("width")) for r in g.findall(f"{SVG}rect")] for g in groups]
    assert widths == [[330, 330], [330, 82.5], [330, 0]]
    assert texts(root) == ["A", "8 (100%)", "B", "2 (25%)", "C", "0 (0%)"]


def test_a_funnel_with_nobody_enrolled_draws_empty_bars():
    root = parse(funnel_svg([Bar("A", 0, "0"), Bar("B", 0, "0")], title="t", description="d"))
    assert [float(r.get("width")) for r in root.iter(f"{SVG}rect")] == [330, 0, 330, 0]


def test_labels_are_escaped():
    markup = str(
        funnel_svg(
            [Bar('<script>alert("x")</script>', 1, "1 & more")],
            title="<b>t</b>",
            description="d",
        )
    )
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert texts(root)[0] == '<script>alert("x")</script>'
    assert texts(root)[1] == "1 & more"


def test_columns_one_panel_per_series_named_in_words_with_values_written():
    root = parse(
        columns_svg(
            ["11/2", "11/9", "11/16"],
            [Series("レッスン完了", [4, 0, 2]), Series("テスト提出", [0, 0, 0])],
            column_titles=["11月2日の週", "11月9日の週", "11月16日の週"],
            title="週ごとの活動",
            description="d",
            id_prefix="w",
        )
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "w-title w-desc"
    columns = root.findall(f"{SVG}g")
    assert len(columns) == 6
    assert [g.find(f"{SVG}title").text for g in columns] == [
        "11月2日の週: レッスン完了 4",
        "11月9日の週: レッスン完了 0",
        "11月16日の週: レッスン完了 2",
        "11月2日の週: テスト提出 0",
        "11月9日の週: テスト提出 0",
        "11月16日の週: テスト提出 0",
    ]
    heights = [float(g.find(f"{SVG}rect").get("height")) for g in columns]
    assert heights == [80, 0, 40, 0, 0, 0]  # the highest week of a panel fills it
    # Only non-zero columns carry a value label; panel names and the week axis are text.
    assert [[t.text for t in g.findall(f"{SVG}text")] for g in columns] == [
        ["4"],
        [],
        ["2"],
        [],
        [],
        [],
    ]
    loose = [t.text for t in root.findall(f"{SVG}text")]
    assert loose == ["レッスン完了", "テスト提出", "11/2", "11/9", "11/16"]


def test_columns_stand_on_their_panel_baseline():
    root = parse(columns_svg(["a", "b"], [Series("s", [3, 1])], title="t", description="d"))
    baseline = float(root.find(f"{SVG}line").get("y1"))
    for rect in root.iter(f"{SVG}rect"):
        assert float(rect.get("y")) + float(rect.get("height")) == baseline


def test_few_weeks_spread_over_the_least_width_many_weeks_widen_the_chart():
    few = parse(columns_svg(["a", "b"], [Series("s", [3, 1])], title="t", description="d"))
    assert few.get("viewBox") == "0 0 440 158"
    assert (few.get("width"), few.get("height")) == ("440", "158")
    xs = [float(r.get("x")) for r in few.iter(f"{SVG}rect")]
    widths = {float(r.get("width")) for r in few.iter(f"{SVG}rect")}
    assert widths == {40}
    assert xs == [8 + 212 / 2 - 20, 8 + 212 + 212 / 2 - 20]  # centred in their half
    many = parse(
        columns_svg(
            [str(n) for n in range(52)], [Series("s", [1] * 52)], title="t", description="d"
        )
    )
    assert many.get("viewBox") == f"0 0 {8 * 2 + 44 * 52} 158"
    assert {float(r.get("width")) for r in many.iter(f"{SVG}rect")} == {28.2}

"""The prefecture map: an SVG a browser, a screen reader and a strict CSP all accept."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from lms.accounts.models import PREFECTURES
from lms.fieldwork.maps import (
    DATA_FILE,
    PALETTE,
    format_value,
    prefecture_map_context,
    prefecture_map_svg,
    prefecture_rows,
)

SVG = "{http://www.w3.org/2000/svg}"
CODES = [code for code, _ja, _en in PREFECTURES]
JAPANESE = {code: ja for code, ja, _en in PREFECTURES}
ENGLISH = {code: en for code, _ja, en in PREFECTURES}


@pytest.fixture(autouse=True)
def english():
    """Most tests read the English msgids; the Japanese page is tested on its own."""
    with translation.override("en"):
        yield


def parse(svg):
    return ET.fromstring(str(svg))


def areas(root):
    """{prefecture slug: <path> element} for the 47 prefecture shapes."""
    return {
        p.get("data-prefecture"): p for p in root.iter(f"{SVG}path") if p.get("data-prefecture")
    }


def palette_class(path):
    (modifier,) = re.findall(r"pref-map__area--(\d)", path.get("class"))
    return int(modifier)


def title_of(element):
    return element.find(f"{SVG}title").text


# --- The SVG --------------------------------------------------------------------------------


def test_the_svg_is_well_formed_xml_labelled_by_its_title_and_description():
    root = parse(prefecture_map_svg({"tokyo": 3}, title="Hours by prefecture", unit="hours"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 1000 1102"
    assert root.get("width") is None and root.get("height") is None  # scales to its column
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Hours by prefecture"
    assert root.find(f"{SVG}desc").get("id") == desc_id


def test_each_of_the_47_prefectures_is_a_shape_titled_with_its_name_and_value():
    values = {"tokyo": Decimal("12.50"), "hokkaido": 1200, "okinawa": Decimal("0.75")}
    root = parse(prefecture_map_svg(values, title="Hours", unit="hours"))

    shapes = areas(root)
    assert list(shapes) == CODES  # national order, every prefecture once
    assert title_of(shapes["tokyo"]) == "Tokyo: 12.5 hours"
    assert title_of(shapes["hokkaido"]) == "Hokkaido: 1,200 hours"
    assert title_of(shapes["okinawa"]) == "Okinawa: 0.75 hours"
    assert title_of(shapes["kyoto"]) == "Kyoto: 0 hours"  # missing means 0
    for code, path in shapes.items():
        assert title_of(path).startswith(ENGLISH[code] + ": ")
        assert path.get("d").startswith("M") and path.get("d").endswith("z")


def test_japanese_names_on_a_japanese_page():
    with translation.override("ja"):
        root = parse(prefecture_map_svg({"tokyo": 3, "hokkaido": 1}, title="t", unit="時間"))
        rows = prefecture_rows({"tokyo": 3, "hokkaido": 1})
        total = gettext("Total")

    shapes = areas(root)
    for code, path in shapes.items():
        assert title_of(path).startswith(JAPANESE[code])
    assert title_of(shapes["tokyo"]).endswith("3 時間")
    assert "東京都" in root.find(f"{SVG}desc").text
    assert rows == [("北海道", 1), ("東京都", 3), (total, 4)]


@pytest.mark.parametrize(
    "values",
    [
        {"tokyo": 7, "osaka": 3, "kyoto": 1, "nara": 5},
        {"tokyo": Decimal("42.5"), "osaka": Decimal("12"), "kochi": Decimal("0.5")},
        {"aomori": 1},
        {code: n * 37 for n, code in enumerate(CODES)},
        {"tokyo": Decimal("5.1"), "osaka": Decimal("4.1"), "nagano": Decimal("2")},
    ],
    ids=["few-integers", "decimals", "one-value", "all-prefectures", "max-just-above-a-step"],
)
def test_colour_classes_follow_the_values(values):
    shapes = areas(parse(prefecture_map_svg(values, title="t", unit="u")))
    value_of = {code: Decimal(values.get(code, 0)) for code in CODES}
    highest = max(value_of.values())

    for code, path in shapes.items():
        klass = palette_class(path)
        assert path.get("fill") == PALETTE[klass]
        if value_of[code] == 0:
            assert klass == 0, code
        else:
            assert klass >= 1, code
        if value_of[code] == highest:
            assert klass == len(PALETTE) - 1, code  # the maximum is always the darkest
    # Never a lighter colour for a larger value.
    ranked = sorted(CODES, key=lambda c: value_of[c])
    classes = [palette_class(shapes[c]) for c in ranked]
    assert classes == sorted(classes)


def test_with_no_values_every_prefecture_is_in_the_empty_class_and_the_description_says_so():
    root = parse(prefecture_map_svg({}, title="t", unit="hours"))

    assert {palette_class(p) for p in areas(root).values()} == {0}
    assert root.find(f"{SVG}desc").text == "No prefecture has a value yet."


def test_the_legend_shows_the_empty_class_and_round_ranges_up_to_the_maximum():
    def legend(values):
        root = parse(prefecture_map_svg(values, title="t", unit="entries"))
        group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "pref-map__legend")
        texts = [t.text for t in group.iter(f"{SVG}text")]
        fills = [r.get("fill") for r in group.iter(f"{SVG}rect")]
        return texts, fills

    texts, fills = legend({"tokyo": 7, "osaka": 2})
    assert texts == ["Entries", "0", "1–2", "3–4", "5–6", "7–8"]
    assert fills[0] == PALETTE[0] and fills[-1] == PALETTE[-1]

    texts, _fills = legend({"tokyo": Decimal("42.5")})
    assert texts == ["Entries", "0", "≤ 10", "10–20", "20–30", "30–40", "40–50"]

    texts, fills = legend({})
    assert texts == ["Entries", "0"] and fills == [PALETTE[0]]


def test_the_description_names_the_three_highest_and_the_total():
    values = {"okinawa": 5, "tokyo": 9, "osaka": 5, "aomori": 2, "kyoto": 1}
    desc = parse(prefecture_map_svg(values, title="t", unit="hours")).find(f"{SVG}desc").text

    # Highest first; Osaka and Okinawa tie and keep the national order.
    assert desc.startswith("Highest: Tokyo 9 hours, Osaka 5 hours, Okinawa 5 hours.")
    assert "5 of 47 prefectures have a value; the total is 22 hours." in desc
    assert "Aomori" not in desc

    one = parse(prefecture_map_svg({"kochi": 2}, title="t", unit="hours")).find(f"{SVG}desc")
    assert "1 of 47 prefectures has a value; the total is 2 hours." in one.text


def test_english_labels_when_the_page_is_in_english():
    root = parse(prefecture_map_svg({"tokyo": 3, "hokkaido": 1}, title="t", unit="hours"))
    rows = prefecture_rows({"tokyo": 3, "hokkaido": 1})

    shapes = areas(root)
    for code, path in shapes.items():
        assert title_of(path).startswith(ENGLISH[code] + ": ")
    assert title_of(shapes["tokyo"]) == "Tokyo: 3 hours"
    assert "Tokyo 3 hours" in root.find(f"{SVG}desc").text
    assert rows == [("Hokkaido", 1), ("Tokyo", 3), ("Total", 4)]
    inset_label = root.find(f"{SVG}g[@class='pref-map__inset']/{SVG}text")
    assert inset_label.text == "Okinawa"


def test_every_text_is_escaped():
    attack = '<script>alert("x")</script>'
    svg = prefecture_map_svg({"tokyo": 1}, title=attack, unit='<img src=x onerror="y">')
    root = parse(svg)

    assert "<script" not in svg and "<img" not in svg
    assert root.find(f"{SVG}title").text == attack  # shown as text, not run
    assert title_of(areas(root)["tokyo"]) == 'Tokyo: 1 <img src=x onerror="y">'
    assert not list(root.iter(f"{SVG}script"))


def test_nothing_the_content_security_policy_would_block():
    svg = str(prefecture_map_svg({code: 1 for code in CODES}, title="t", unit="u"))
    root = parse(svg)

    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag
        assert element.tag != f"{SVG}style"
    assert "href" not in svg  # no external images, no map tiles


def test_the_svg_stays_small_with_all_47_prefectures_filled():
    values = {code: Decimal("1234.56") + n for n, code in enumerate(CODES)}
    size = len(str(prefecture_map_svg(values, title="Approved hours", unit="hours")).encode())

    assert size < 60_000, size


def test_two_maps_on_one_page_have_different_ids_and_a_given_id_is_used():
    first = parse(prefecture_map_svg({}, title="a", unit="u"))
    second = parse(prefecture_map_svg({}, title="b", unit="u"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")

    named = parse(prefecture_map_svg({}, title="c", unit="u", dom_id="hours-map"))
    assert named.get("aria-labelledby") == "hours-map-title hours-map-desc"


def test_bad_input_is_refused_and_records_without_a_prefecture_are_left_out():
    with pytest.raises(ValueError, match="Unknown prefecture code 'edo'"):
        prefecture_map_svg({"edo": 1}, title="t", unit="u")
    with pytest.raises(ValueError, match="negative"):
        prefecture_rows({"tokyo": -1})
    with pytest.raises(TypeError, match="Decimal or an int"):
        prefecture_rows({"tokyo": 1.5})

    # "" / None keys (no prefecture given) and None values (Sum() of no rows) count as nothing.
    assert prefecture_rows({"": 4, None: 2, "tokyo": 3, "osaka": None}) == [
        ("Tokyo", 3),
        ("Total", 3),
    ]


def test_outlines_stay_inside_the_view_box():
    width, height = 1000, 1102
    root = parse(prefecture_map_svg({}, title="t", unit="u"))
    for code, path in areas(root).items():
        numbers = [int(n) for n in re.findall(r"-?\d+", path.get("d"))]
        x, y = numbers[0], numbers[1]
        points = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        assert len(points) >= 10, code
        assert all(0 <= px <= width and 0 <= py <= height for px, py in points), code
    # The data file says where it came from and under which licence.
    header = " ".join(DATA_FILE.read_text(encoding="utf-8").splitlines()[:8])
    assert "japanmap 0.6.0" in header and "Apache License 2.0" in header


# --- The table alternative ------------------------------------------------------------------


def test_rows_are_in_national_order_with_only_non_zero_values_and_a_total():
    values = {"okinawa": 2, "kyoto": 0, "tokyo": Decimal("1.5"), "hokkaido": 4}

    rows = prefecture_rows(values)

    assert rows == [
        ("Hokkaido", 4),
        ("Tokyo", Decimal("1.5")),
        ("Okinawa", 2),
        ("Total", Decimal("7.5")),
    ]
    assert prefecture_rows({}) == []
    assert prefecture_rows({"tokyo": 0}) == []


def test_format_value_drops_trailing_zeros_and_groups_thousands():
    assert format_value(Decimal("12.50")) == "12.5"
    assert format_value(Decimal("3.00")) == "3"
    assert format_value(1200) == "1,200"
    assert format_value(Decimal("1E+2")) == "100"


def test_the_template_shows_the_figure_and_a_table_with_headers():
    context = prefecture_map_context(
        {"tokyo": Decimal("2.50"), "osaka": 1200}, title="Hours by prefecture", unit="hours"
    )
    html = render_to_string("lms/fieldwork/_prefecture_map.html", context)

    assert 'href="/static/css/fieldwork-map.css"' in html
    assert "style=" not in html and "<script" not in html
    assert re.search(r"<figure class=\"pref-map\">\s*<svg ", html)
    assert '<figcaption class="pref-map__caption">Hours by prefecture</figcaption>' in html
    assert "<details" in html and "<summary>" in html
    assert '<th scope="col">Prefecture</th>' in html
    assert re.search(r'<th scope="col"[^>]*>Hours</th>', html)
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert re.findall(r'<th scope="row">([^<]+)</th>', body) == ["Tokyo", "Osaka"]
    assert re.findall(r"<td[^>]*>([^<]+)</td>", body) == ["2.5", "1,200"]
    foot = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert '<th scope="row">Total</th>' in foot and ">1,202.5</td>" in foot


def test_the_template_says_so_when_there_is_nothing_to_list():
    context = prefecture_map_context({}, title="Hours", unit="hours")
    html = render_to_string("lms/fieldwork/_prefecture_map.html", context)

    assert "<table" not in html
    assert "No prefecture has a value yet." in html

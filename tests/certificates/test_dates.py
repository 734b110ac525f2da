import datetime

import pytest

from lms.certificates.rendering import format_date

D = datetime.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2026, 11, 27), "令和8年11月27日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(2020, 1, 1), "令和2年1月1日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
        (D(1926, 12, 24), "大正15年12月24日"),
        (D(1912, 7, 30), "大正元年7月30日"),
        (D(1912, 7, 29), "明治45年7月29日"),
        (D(1868, 10, 23), "明治元年10月23日"),
    ],
)
def test_japanese_era(value, expected):
    assert format_date(value, style="japanese_era", language="ja") == expected


def test_before_meiji_is_refused():
    with pytest.raises(ValueError, match="before the Meiji era"):
        format_date(D(1868, 10, 22), style="japanese_era", language="ja")


@pytest.mark.parametrize(
    ("value", "style", "language", "expected"),
    [
        (D(2026, 11, 27), "western", "ja", "2026年11月27日"),
        (D(2026, 1, 5), "western", "ja", "2026年1月5日"),
        (D(2026, 11, 27), "western", "en", "27 November 2026"),
        (D(2026, 1, 5), "western", "en", "5 January 2026"),
        (D(2026, 11, 27), "japanese_era", "en", "27 November 2026 (Reiwa 8)"),
        (D(2019, 5, 1), "japanese_era", "en", "1 May 2019 (Reiwa 1)"),
        (D(2019, 4, 30), "japanese_era", "en", "30 April 2019 (Heisei 31)"),
    ],
)
def test_other_styles(value, style, language, expected):
    assert format_date(value, style=style, language=language) == expected


@pytest.mark.parametrize(("style", "language"), [("gregorian", "ja"), ("western", "fr")])
def test_unknown_style_or_language(style, language):
    with pytest.raises(ValueError, match="Unknown"):
        format_date(D(2026, 1, 1), style=style, language=language)

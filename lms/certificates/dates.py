"""Dates on certificates: the Japanese era (和暦) or the Western calendar.

* ``japanese_era``, Japanese: 令和8年11月27日; the first year of an era is 元年
  (令和元年5月1日). Eras start on the day the new era began: 明治 1868-10-23 (its
  proclamation), 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01.
  Dates before Meiji are refused (Japan used the lunisolar calendar until 1872).
* ``western``, Japanese: 2026年11月27日.
* English: ``western`` is "27 November 2026"; ``japanese_era`` keeps the Western date
  first, since that is what an English reader reads, and adds the era year after it:
  "27 November 2026 (Reiwa 8)". The first year is "Reiwa 1" (the usual English form).
"""

from __future__ import annotations

import datetime

JAPANESE_ERA = "japanese_era"
WESTERN = "western"
DATE_STYLES = (JAPANESE_ERA, WESTERN)
LANGUAGES = ("ja", "en")

# (first day, Japanese name, English name), newest first.
ERAS = (
    (datetime.date(2019, 5, 1), "令和", "Reiwa"),
    (datetime.date(1989, 1, 8), "平成", "Heisei"),
    (datetime.date(1926, 12, 25), "昭和", "Showa"),
    (datetime.date(1912, 7, 30), "大正", "Taisho"),
    (datetime.date(1868, 10, 23), "明治", "Meiji"),
)

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def japanese_era(value: datetime.date) -> tuple[str, str, int]:
    """(Japanese era name, English era name, year of the era) of a date."""
    for start, name_ja, name_en in ERAS:
        if value >= start:
            return name_ja, name_en, value.year - start.year + 1
    raise ValueError(f"{value.isoformat()} is before the Meiji era (1868-10-23).")


def format_date(value: datetime.date, *, style: str, language: str) -> str:
    if style not in DATE_STYLES:
        raise ValueError(f"Unknown date style {style!r}; expected one of {DATE_STYLES}.")
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; expected one of {LANGUAGES}.")
    if language == "ja":
        if style == WESTERN:
            return f"{value.year}年{value.month}月{value.day}日"
        era, _en, year = japanese_era(value)
        year_text = "元" if year == 1 else str(year)
        return f"{era}{year_text}年{value.month}月{value.day}日"
    western = f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    if style == WESTERN:
        return western
    _ja, era_en, year = japanese_era(value)
    return f"{western} ({era_en} {year})"

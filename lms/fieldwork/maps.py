"""The map of Japan by prefecture: an accessible SVG drawn on the server, no map tiles.

``prefecture_map_svg(values, title=..., unit=...)`` colours each of the 47 prefectures by its
value (hours, entries, ...) on a sequential, colour-blind-safe scale of up to five classes and
returns an inline ``<svg role="img">`` with a ``<title>``, a ``<desc>`` that says in words what
the map shows, one ``<title>`` per prefecture (its name and value) and a legend.
``prefecture_rows(values)`` gives the same figures as table rows, the table alternative that
``templates/lms/fieldwork/_prefecture_map.html`` shows under the map.

The outlines are real geometry, simplified and committed in ``data/prefecture_paths.tsv``
(derived from the PyPI package ``japanmap``, Apache License 2.0; see that file's header and
``docs/decisions/0011-prefecture-map.md``). Nothing is fetched at run time.

Values are keyed by the prefecture slugs of ``lms.accounts.models.PREFECTURES``; a missing
prefecture (or a ``None`` value, as ``Sum()`` gives for no rows) counts as 0. Keys ``""`` and
``None`` (records without a prefecture) are left out, since they have no place on the map; any
other unknown key is a programming error and raises ``ValueError``.
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from lms.accounts.models import PREFECTURES, prefecture_name

Number = Decimal | int

DATA_FILE = Path(__file__).parent / "data" / "prefecture_paths.tsv"

#: Class 0 (no value) and five sequential classes, light to dark: ColorBrewer YlGnBu
#: (colour-blind safe, also readable in grey scale), its lightest step replaced by a neutral
#: grey so "nothing yet" never looks like "a little".
PALETTE = ("#eeeeee", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
CLASS_COUNT = len(PALETTE) - 1
BORDER = "#595959"  # 7:1 on white: the outline of every shape, even a grey one, is visible

#: Legend type size in view-box units: the view box is 1000 wide, so 40 units are about
#: 15px on a 290px-wide phone column (the CSS enlarges the legend there) and 24px at most.
LEGEND_FONT = 40
LEGEND_LINE = 56
LEGEND_X = 20
LEGEND_Y = 20
TOP_COUNT = 3

_STEP_MANTISSAS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))


class ImproperlyConfiguredMap(RuntimeError):
    """The committed outline data does not match ``PREFECTURES``."""


@dataclass(frozen=True)
class _Geometry:
    viewbox: str
    inset: tuple[int, int, int, int]
    paths: dict[str, str]


@functools.cache
def _geometry() -> _Geometry:
    rows = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("\t")
            rows[key] = value
    viewbox = rows.pop("viewbox")
    x, y, width, height = (int(v) for v in rows.pop("inset").split())
    missing = [code for code, _ja, _en in PREFECTURES if code not in rows]
    if missing or len(rows) != len(PREFECTURES):
        raise ImproperlyConfiguredMap(f"{DATA_FILE.name} does not hold the 47 prefectures")
    return _Geometry(viewbox=viewbox, inset=(x, y, width, height), paths=rows)


def _clean(values: Mapping[str | None, Number | None]) -> dict[str, Decimal]:
    """All 47 prefectures (national order) with a non-negative Decimal each."""
    known = {code for code, _ja, _en in PREFECTURES}
    cleaned = {code: Decimal(0) for code, _ja, _en in PREFECTURES}
    for code, value in values.items():
        if code in ("", None):
            continue
        if code not in known:
            raise ValueError(f"Unknown prefecture code {code!r}; use the slugs of PREFECTURES.")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"The value for {code!r} must be a Decimal or an int, not {value!r}.")
        if value < 0:
            raise ValueError(f"The value for {code!r} is negative ({value}).")
        cleaned[code] = Decimal(value)
    return cleaned


def format_value(value: Number) -> str:
    """``12.50`` → "12.5", ``1200`` → "1,200", in the active language's number format."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, force_grouping=True)


@dataclass(frozen=True)
class _Scale:
    """Equal steps of a round size (1, 2, 2.5 or 5 × 10ⁿ) from 0 up to the maximum.

    Class ``n`` (1-based) holds values in ``(step × (n-1), step × n]``; the classes used are
    spread over the palette so the highest one is always the darkest colour.
    """

    step: Decimal
    count: int
    integers: bool

    @classmethod
    def for_values(cls, values: list[Decimal]) -> _Scale | None:
        maximum = max(values)
        if maximum <= 0:
            return None
        integers = all(v == v.to_integral_value() for v in values)
        raw = maximum / CLASS_COUNT
        exponent = math.floor(math.log10(raw)) if raw > 0 else 0
        step = None
        for power in (exponent - 1, exponent, exponent + 1):
            for mantissa in _STEP_MANTISSAS:
                candidate = mantissa.scaleb(power)
                if integers and candidate != candidate.to_integral_value():
                    continue
                if candidate >= raw and (step is None or candidate < step):
                    step = candidate
        step = step if step is not None else Decimal(1)
        count = max(1, min(CLASS_COUNT, math.ceil(maximum / step)))
        return cls(step=step, count=count, integers=integers)

    def palette_index(self, value: Decimal) -> int:
        """0 for no value, else 1–5; the top class used is always 5 (the darkest)."""
        if value <= 0:
            return 0
        klass = max(1, min(self.count, math.ceil(value / self.step)))
        if self.count == 1:
            return CLASS_COUNT
        return round(1 + (klass - 1) * (CLASS_COUNT - 1) / (self.count - 1))

    def legend(self) -> list[tuple[int, str]]:
        """(palette index, label) for each class used, lightest first."""
        entries = []
        for klass in range(1, self.count + 1):
            low, high = self.step * (klass - 1), self.step * klass
            if self.integers:
                low += 1
                label = format_value(high) if low == high else _range(low, high)
            elif klass == 1:
                label = "≤ " + format_value(high)
            else:
                label = _range(low, high)
            entries.append((self.palette_index(high), label))
        return entries


def _range(low: Decimal, high: Decimal) -> str:
    return f"{format_value(low)}–{format_value(high)}"


def _names() -> dict[str, str]:
    return {code: str(prefecture_name(ja, en)) for code, ja, en in PREFECTURES}


def prefecture_rows(values: Mapping[str | None, Number | None]) -> list[tuple[str, Number]]:
    """The table alternative: (prefecture name, value) for each prefecture with a value.

    National code order (北海道 … 沖縄県), names in the active language, and a last row
    ("Total", sum). No prefecture with a value gives an empty list.
    """
    cleaned = _clean(values)
    names = _names()
    rows: list[tuple[str, Number]] = []
    total: Number = 0
    for code, _ja, _en in PREFECTURES:
        value = values.get(code)
        if value is not None and cleaned[code] > 0:
            rows.append((names[code], value))
            total += value
    if rows:
        rows.append((gettext("Total"), total))
    return rows


def _description(cleaned: dict[str, Decimal], names: dict[str, str], unit: str) -> str:
    with_value = [(code, v) for code, v in cleaned.items() if v > 0]
    if not with_value:
        return gettext("No prefecture has a value yet.")
    # Highest first; ties keep the national order (sorted() is stable).
    top = sorted(with_value, key=lambda item: -item[1])[:TOP_COUNT]
    listed = gettext(", ").join(
        gettext("%(name)s %(value)s %(unit)s")
        % {"name": names[code], "value": format_value(value), "unit": unit}
        for code, value in top
    )
    count = len(with_value)
    summary = ngettext(
        "%(count)s of 47 prefectures has a value; the total is %(total)s %(unit)s.",
        "%(count)s of 47 prefectures have a value; the total is %(total)s %(unit)s.",
        count,
    ) % {"count": count, "total": format_value(sum(v for _c, v in with_value)), "unit": unit}
    return " ".join(
        [
            gettext("Highest: %(list)s.") % {"list": listed},
            summary,
            gettext("Okinawa is shown enlarged in the box at the bottom right."),
        ]
    )


def _legend(scale: _Scale | None, unit: str) -> SafeString:
    entries = [(0, "0")] + (scale.legend() if scale else [])
    swatch = LEGEND_FONT - 6
    rows = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="pref-map__swatch"/>'
        '<text x="{}" y="{}">{}</text>',
        (
            (
                LEGEND_X,
                LEGEND_Y + LEGEND_LINE * (n + 1) + 8,
                swatch,
                swatch,
                PALETTE[index],
                LEGEND_X + swatch + 16,
                LEGEND_Y + LEGEND_LINE * (n + 2) - 12,
                label,
            )
            for n, (index, label) in enumerate(entries)
        ),
    )
    return format_html(
        '<g class="pref-map__legend" font-size="{}" fill="currentColor" stroke="none">'
        '<text x="{}" y="{}" font-weight="700">{}</text>'
        '<g stroke="{}" stroke-width="1">{}</g></g>',
        LEGEND_FONT,
        LEGEND_X,
        LEGEND_Y + LEGEND_LINE - 12,
        capfirst(unit),
        BORDER,
        rows,
    )


def prefecture_map_svg(
    values: Mapping[str | None, Number | None],
    *,
    title: str,
    unit: str,
    dom_id: str | None = None,
) -> SafeString:
    """An inline ``<svg>`` map of Japan, each prefecture coloured by its value.

    ``title`` names the map ("Approved hours by prefecture"); ``unit`` is the unit of the
    values as people read it ("hours", "entries") and heads the legend. ``dom_id`` prefixes
    the ids the SVG uses for its title and description (a random one if not given), so two
    maps can share a page. All text is escaped.
    """
    geometry = _geometry()
    cleaned = _clean(values)
    names = _names()
    scale = _Scale.for_values(list(cleaned.values()))
    dom_id = dom_id or f"pref-map-{secrets.token_hex(4)}"

    areas = format_html_join(
        "",
        '<path class="pref-map__area pref-map__area--{}" data-prefecture="{}" fill="{}" d="{}">'
        "<title>{}</title></path>",
        (
            (
                index,
                code,
                PALETTE[index],
                geometry.paths[code],
                gettext("%(name)s: %(value)s %(unit)s")
                % {"name": names[code], "value": format_value(value), "unit": unit},
            )
            for code, value, index in (
                (code, value, scale.palette_index(value) if scale else 0)
                for code, value in cleaned.items()
            )
        ),
    )
    x, y, width, height = geometry.inset
    inset = format_html(
        '<g class="pref-map__inset">'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" stroke-width="2"/>'
        '<text x="{}" y="{}" font-size="{}" fill="currentColor" text-anchor="end">{}</text></g>',
        x,
        y,
        width,
        height,
        BORDER,
        x + width,
        y - 14,
        LEGEND_FONT,
        names["okinawa"],
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pref-map__svg" viewBox="{}" role="img"'
        ' aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}"
        '<g class="pref-map__areas" stroke="{}" stroke-width="1.5" stroke-linejoin="round">{}</g>'
        "{}</svg>",
        geometry.viewbox,
        dom_id,
        dom_id,
        dom_id,
        title,
        dom_id,
        _description(cleaned, names, unit),
        inset,
        BORDER,
        areas,
        _legend(scale, unit),
    )


def prefecture_map_context(
    values: Mapping[str | None, Number | None],
    *,
    title: str,
    unit: str,
    caption: str | None = None,
) -> dict[str, object]:
    """Everything ``lms/fieldwork/_prefecture_map.html`` needs, for a view's context.

    The rows' values are formatted here as on the map ("1,200", "12.5"), since the template
    shows them as given.
    """
    return {
        "map_svg": prefecture_map_svg(values, title=title, unit=unit),
        "map_caption": caption or title,
        "map_rows": [(label, format_value(value)) for label, value in prefecture_rows(values)],
        "map_unit": unit,
    }

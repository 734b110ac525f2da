"""Charts of the cohort dashboard, drawn on the server as accessible SVG (decision 0016).

Pure functions: they take figures and already translated, already formatted labels, and
return an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), a ``<title>`` on every bar or column, and every number written as
visible text, so nothing is said by colour alone. The page shows the same figures in a
table under each chart. No database, no template, no JavaScript; markup is built with
``format_html``, so every label is escaped.

Sizes are in view-box units; the SVG scales to its container (CSS in
``reports/cohort-dashboard.css``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

#: Colours with at least 4.5:1 against white (bars) and near-black text (7:1 and more).
BAR = "#1d5f8c"
TRACK = "#e8eef3"
TEXT = "#1a1a1a"
MUTED = "#595959"
FONT = "15"
#: The view box's width (the funnel) or least width (the columns), and a column's least
#: width. Charts are drawn at one unit per CSS pixel: the funnel shrinks to fit a phone,
#: the column chart scrolls sideways instead (many weeks would be unreadable shrunk).
WIDTH = 440
MIN_COLUMN = 44


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a stage of the funnel."""

    label: str  # "Started"
    value: int
    value_label: str  # "12 (60%)", shown after the bar and read in its <title>


@dataclass(frozen=True)
class Series:
    """One panel of the column chart: a kind of activity, one value per week."""

    label: str  # "Lesson completions"
    values: Sequence[int]


def _scale(value: int, maximum: int, length: float) -> float:
    if maximum <= 0 or value <= 0:
        return 0.0
    return round(length * value / maximum, 1)


def _open(*, id_prefix: str, title: str, description: str, width: int, height: int):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'aria-labelledby="{p}-title {p}-desc" '
        'font-family="sans-serif" font-size="{font}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>',
        width=width,
        height=height,
        p=id_prefix,
        font=FONT,
        title=title,
        desc=description,
    )


def _close(parts) -> SafeString:
    """The parts (each made by ``format_html``, so already escaped) and the closing tag."""
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))


def funnel_svg(
    bars: Sequence[Bar], *, title: str, description: str, id_prefix: str = "funnel"
) -> SafeString:
    """Horizontal bars, one per stage, each bar's length relative to the first (the whole).

    Each row: the stage's name above its bar, the bar on a light track the width of the
    whole, and the value label (count and percentage) after the bar.
    """
    width, label_height, bar_height, gap, top = WIDTH, 22, 22, 12, 8
    track = 330
    row = label_height + bar_height + gap
    height = top + row * len(bars)
    maximum = bars[0].value if bars else 0
    parts = [_open(id_prefix=id_prefix, title=title, description=description,
                   width=width, height=height)]  # fmt: skip
    for index, bar in enumerate(bars):
        y = top + index * row
        length = _scale(bar.value, maximum, track)
        parts.append(
            format_html(
                '<g class="report-chart__bar"><title>{label}: {value_label}</title>'
                '<text x="0" y="{ty}" fill="{text}">{label}</text>'
                '<rect x="0" y="{by}" width="{track}" height="{bh}" fill="{track_fill}"/>'
                '<rect x="0" y="{by}" width="{length}" height="{bh}" fill="{fill}"/>'
                '<text x="{vx}" y="{vy}" fill="{text}">{value_label}</text></g>',
                label=bar.label,
                value_label=bar.value_label,
                ty=y + label_height - 5,
                by=y + label_height,
                bh=bar_height,
                track=track,
                track_fill=TRACK,
                length=length,
                fill=BAR,
                text=TEXT,
                vx=track + 8,
                vy=y + label_height + bar_height - 6,
            )
        )
    return _close(parts)


def columns_svg(
    column_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    column_titles: Sequence[str] | None = None,
    id_prefix: str = "weekly",
) -> SafeString:
    """Column charts sharing one horizontal axis (the weeks), one panel per series.

    Each series gets its own panel with its name written above it, so the kinds of
    activity are told apart by words and position, not colour. Every panel has its own
    scale (its highest week fills the panel); every non-zero column has its value written
    above it, and every column a ``<title>`` ("Week of 23 Nov: 5 lesson completions").
    ``column_titles`` (one per column) are the long names used in those titles; the short
    ``column_labels`` are written under the last panel.
    """
    count = len(column_labels)
    column_titles = list(column_titles or column_labels)
    # As wide as the funnel at least (few weeks spread out), 44 units a week beyond that.
    left = 8
    width = max(WIDTH, left * 2 + MIN_COLUMN * count)
    column = (width - left * 2) / max(count, 1)
    bar_width = round(min(column * 0.64, 40), 1)
    panel_label, panel_height, value_space, panel_gap, axis = 22, 80, 18, 14, 24
    panel = panel_label + value_space + panel_height + panel_gap
    height = panel * len(series) + axis
    parts = [_open(id_prefix=id_prefix, title=title, description=description,
                   width=width, height=height)]  # fmt: skip
    for index, item in enumerate(series):
        top = index * panel
        base = top + panel_label + value_space + panel_height
        maximum = max(item.values, default=0)
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" fill="{text}" font-weight="bold">{label}</text>'
                '<line x1="{x}" y1="{base}" x2="{x2}" y2="{base}" stroke="{muted}"/>',
                x=left,
                y=top + panel_label - 6,
                text=TEXT,
                label=item.label,
                base=base,
                x2=width - left,
                muted=MUTED,
            )
        )
        columns = []
        for position, value in enumerate(item.values):
            x = left + position * column + (column - bar_width) / 2
            bar = _scale(value, maximum, panel_height)
            value_text = (
                format_html(
                    '<text x="{cx}" y="{vy}" text-anchor="middle" fill="{text}">{value}</text>',
                    cx=x + bar_width / 2,
                    vy=base - bar - 4,
                    text=TEXT,
                    value=value,
                )
                if value
                else ""
            )
            columns.append(
                (
                    column_titles[position],
                    item.label,
                    value,
                    x,
                    round(base - bar, 1),
                    bar_width,
                    bar,
                    BAR,
                    value_text,
                )
            )
        parts.append(
            format_html_join(
                "",
                '<g class="report-chart__column"><title>{}: {} {}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>{}</g>',
                columns,
            )
        )
    axis_y = panel * len(series) + axis - 8
    parts.append(
        format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
            (
                (left + position * column + column / 2, axis_y, MUTED, label)
                for position, label in enumerate(column_labels)
            ),
        )
    )
    return _close(parts)

"""Highlighted titles and snippets, built from the ORIGINAL text and always escaped."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .matching import Span, match_term
from .normalize import normalize_with_offsets

SNIPPET_LENGTH = 100
SNIPPET_LEAD = 25
ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")


def _original_spans(text: str, terms: list[str]) -> tuple[list[Span], int]:
    """Spans of ``text`` (original offsets) where the terms match, merged and sorted."""
    norm, starts, ends = normalize_with_offsets(text)
    spans: list[Span] = []
    for term in terms:
        for a, b in match_term(term, norm).spans:
            spans.append((starts[a], ends[b - 1]))
    spans.sort()
    merged: list[Span] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged, len(text)


def _render(text: str, spans: list[Span], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        parts.append(escape(_WHITESPACE.sub(" ", text[position:a])))
        parts.append(format_html("<mark>{}</mark>", _WHITESPACE.sub(" ", text[a:b])))
        position = b
    parts.append(escape(_WHITESPACE.sub(" ", text[position:end])))
    return "".join(parts)


def highlight_title(title: str, terms: list[str]) -> SafeString:
    """The whole title, escaped, each match in ``<mark>``."""
    spans, length = _original_spans(title, terms)
    # Safe: _render escapes every piece of text it emits.
    return mark_safe(_render(title, spans, 0, length).strip())  # nosec B308 B703


def snippet(body: str, terms: list[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``body`` around its first match, escaped, matches in
    ``<mark>``, an ellipsis where text was cut. Without a match: the start of the body."""
    spans, total = _original_spans(body, terms)
    start = 0
    if spans:
        start = max(0, spans[0][0] - SNIPPET_LEAD)
        start = max(0, min(start, total - length))
        # Do not start in the middle of a highlighted span.
        for a, b in spans:
            if a < start < b:
                start = a
    while start < total and body[start].isspace():
        start += 1
    end = min(total, start + length)
    for a, b in spans:
        if a < end < b:
            end = b
    html = _render(body, spans, start, end).strip()
    if start > 0:
        html = ELLIPSIS + html
    if end < total and body[end:].strip():
        html += ELLIPSIS
    # Safe: _render escapes every piece of text; ELLIPSIS is a constant.
    return mark_safe(html)  # nosec B308 B703

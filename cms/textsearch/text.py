"""Plain text out of rich text and StreamField values, for indexing."""

from __future__ import annotations

import re
from html import unescape

from django.utils.html import strip_tags

_BLOCK_END = re.compile(
    r"(</(?:p|h[1-6]|li|blockquote|div|tr|td|th|dt|dd|figcaption)\s*>|<(?:br|hr)\b[^>]*>)",
    re.IGNORECASE,
)


def html_to_text(html: str) -> str:
    """Rich text (HTML) to plain text: tags stripped, entities decoded, a line break after
    each paragraph, heading, list item or ``<br>`` (so words never join across blocks and
    the split-word rule never spans two paragraphs)."""
    if not html:
        return ""
    return unescape(strip_tags(_BLOCK_END.sub(r"\1\n", str(html)))).strip()


def streamfield_text(value) -> str:
    """Plain text of a StreamField value, a ``RichText`` or a rich-text HTML string.

    Text comes from CharBlock, TextBlock and RichTextBlock children, recursively through
    StructBlocks, ListBlocks and nested StreamBlocks, one block per line. Choosers,
    choices, URLs, dates and blocks declared with ``search_index=False`` give nothing.
    """
    from wagtail.blocks import StreamValue
    from wagtail.rich_text import RichText

    if value is None:
        return ""
    if isinstance(value, StreamValue):
        lines: list[str] = []
        _collect(value.stream_block, value, lines)
        return "\n".join(line for line in lines if line)
    if isinstance(value, RichText):
        return html_to_text(value.source)
    return html_to_text(str(value))


def _collect(block, value, lines: list[str]) -> None:
    from wagtail import blocks
    from wagtail.rich_text import RichText

    if value is None or getattr(block, "search_index", True) is False:
        return
    if isinstance(block, blocks.StreamBlock):
        for child in value:
            _collect(child.block, child.value, lines)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            _collect(child_block, value.get(name), lines)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            _collect(block.child_block, item, lines)
    elif isinstance(value, RichText):
        lines.append(html_to_text(value.source))
    elif isinstance(block, blocks.CharBlock | blocks.TextBlock):
        lines.append(str(value).strip())

"""The certificate fonts and the glyph check that runs before any rendering.

The fonts are the Japanese faces of the Noto CJK collections of Debian's ``fonts-noto-cjk``
package (SIL Open Font License 1.1), which the set-up installs (``RUN_APT`` in the
Makefile). They are read from their files, never looked up through the system's
Fontconfig (see docs/decisions/0013-certificate-fonts.md).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .pdf_engine import FontFace

# Where Debian's fonts-noto-cjk puts the collections; settings.CERTIFICATE_FONT_DIR may
# point elsewhere (the same three file names) on another system.
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")

SERIF = "Noto Serif CJK JP"
SANS = "Noto Sans CJK JP"

# (key, file, face name in the collection, weight); the @font-face family is the face name.
_FACES = [
    ("serif-400", "NotoSerifCJK-Regular.ttc", SERIF, 400),
    ("serif-700", "NotoSerifCJK-Bold.ttc", SERIF, 700),
    ("sans-400", "NotoSansCJK-Regular.ttc", SANS, 400),
]

# The font names WeasyPrint writes into the PDF (pdffonts lists them after the subset tag).
PDF_FONT_NAMES = frozenset({"Noto-Serif-CJK-JP", "Noto-Serif-CJK-JP-Bold", "Noto-Sans-CJK-JP"})

# Variation selectors: printable only when the font knows the (base, selector) sequence.
_SELECTORS = frozenset(range(0xFE00, 0xFE10)) | frozenset(range(0xE0100, 0xE01F0))


def faces() -> list[FontFace]:
    directory = Path(getattr(settings, "CERTIFICATE_FONT_DIR", NOTO_DIR))
    found = [
        FontFace(key, str(directory / filename), name, name, weight)
        for key, filename, name, weight in _FACES
    ]
    missing = [face.path for face in found if not Path(face.path).is_file()]
    if missing:
        raise ImproperlyConfigured(
            "Certificate fonts are missing (install the Debian package fonts-noto-cjk, "
            "as `make run` does): " + ", ".join(missing)
        )
    return found


@cache
def _coverage() -> tuple[frozenset[int], frozenset[tuple[int, int]]]:
    """Code points (and variation sequences) that EVERY certificate face can print.

    Read once per process from the fonts' cmap tables; the intersection is used so a text
    is printable wherever the template puts it.
    """
    from fontTools.ttLib import TTCollection, TTFont

    code_points: frozenset[int] | None = None
    sequences: frozenset[tuple[int, int]] | None = None
    for face in faces():
        with open(face.path, "rb") as handle:
            is_collection = handle.read(4) == b"ttcf"
        fonts = TTCollection(face.path).fonts if is_collection else [TTFont(face.path)]
        font = next(f for f in fonts if f["name"].getDebugName(1) == face.face_name)
        cmap = frozenset(font.getBestCmap())
        uvs: set[tuple[int, int]] = set()
        for table in font["cmap"].tables:
            if table.format == 14:
                for selector, pairs in table.uvsDict.items():
                    uvs.update((base, selector) for base, _glyph in pairs)
        code_points = cmap if code_points is None else code_points & cmap
        sequences = frozenset(uvs) if sequences is None else sequences & uvs
    return code_points or frozenset(), sequences or frozenset()


def _ignorable(char: str) -> bool:
    # Line breaks and other control characters are layout, not glyphs.
    return unicodedata.category(char) in {"Cc", "Zl", "Zp"}


def unprintable_characters(text: str) -> list[str]:
    """The characters (or base + variation selector sequences) of ``text`` that the
    certificate fonts cannot print, in order of first appearance, without repeats."""
    code_points, sequences = _coverage()
    found: list[str] = []
    previous = ""
    for char in text:
        point = ord(char)
        if point in _SELECTORS:
            if previous and (ord(previous), point) not in sequences:
                item = previous + char
                if item not in found:
                    found.append(item)
        elif not _ignorable(char) and point not in code_points and char not in found:
            found.append(char)
        previous = char
    return found


def code_point_label(item: str) -> str:
    """U+XXXX (U+XXXX U+XXXX for a variation sequence)."""
    return " ".join(f"U+{ord(char):04X}" for char in item)

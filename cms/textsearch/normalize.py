"""Text normalisation shared by the index and the query.

The rules (docs/decisions/0008-japanese-search.md):

1. Unicode NFKC, then case folding, then NFKC again: full-width and half-width forms
   become one (``ｻﾛﾝ`` → ``サロン``, ``ＡＢＣ`` → ``abc``, ``２０２４`` → ``2024``), and a
   half-width voiced mark joins its kana (``ﾃﾞ`` → ``デ``).
2. Punctuation, symbols, spaces and control characters are separators. A run of them
   collapses to one character: ``"\\n"`` (a *hard* break) if the run holds a sentence end
   (``。 . ! ?`` or a line break), otherwise ``" "``. Leading and trailing separators go.
   Format characters (soft hyphen, zero-width joiners) are dropped.
3. Katakana is NOT folded in the stored text. Matching folds kana (matching.py): a
   hiragana character in a query also matches the same kana in katakana (``さろん`` finds
   ``サロン``); a katakana character matches hiragana too only in terms of three or more
   characters (``ケア`` does not find ``助けあい``). The gram index stores folded grams
   (:func:`fold_kana`) so that both spellings reach the same rows.

Normalisation works chunk by chunk (a character and the combining marks that follow
it), so every normalised character knows the span of the original text it came from:
that is how snippets highlight the original, un-normalised text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Separator characters that end a sentence (after NFKC: ！→!, ？→?, ．→., ｡→。).
SENTENCE_ENDS = frozenset("。.!?\n\r\u2028\u2029\x0b\x0c\x85")
SOFT = " "
HARD = "\n"

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATAKANA_TO_HIRAGANA.update({0x30FD: 0x309D, 0x30FE: 0x309E})  # ヽ ヾ
_HIRAGANA_TO_KATAKANA = {hira: kata for kata, hira in _KATAKANA_TO_HIRAGANA.items()}

_KEEP, _SOFT, _HARD, _DROP = 0, 1, 2, 3


def fold_kana(text: str) -> str:
    """Katakana → hiragana, one character for one (offsets do not move)."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def hiragana_of(char: str) -> str | None:
    """The hiragana twin of a katakana character, or None."""
    code = _KATAKANA_TO_HIRAGANA.get(ord(char))
    return chr(code) if code is not None else None


def katakana_of(char: str) -> str | None:
    """The katakana twin of a hiragana character, or None."""
    code = _HIRAGANA_TO_KATAKANA.get(ord(char))
    return chr(code) if code is not None else None


@lru_cache(maxsize=4096)
def _attached(char: str) -> bool:
    """Does this character belong to the one before it (a combining or voiced mark)?"""
    return char in "\uff9e\uff9f" or unicodedata.category(char).startswith("M")


@lru_cache(maxsize=8192)
def _fold(chunk: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", chunk).casefold())


@lru_cache(maxsize=8192)
def _kind(char: str) -> int:
    category = unicodedata.category(char)
    if category == "Cf":
        return _DROP
    if category[0] in "PSZC":
        return _HARD if char in SENTENCE_ENDS else _SOFT
    return _KEEP


def normalize_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Normalise ``text``; also return, per normalised character, its original span.

    ``starts[i]:ends[i]`` is the slice of ``text`` that produced normalised character
    ``i`` (a collapsed separator points at the first separator of its run).
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending: tuple[int, int, int] | None = None  # (kind, start, end) of a separator run
    length = len(text)
    i = 0
    while i < length:
        j = i + 1
        while j < length and _attached(text[j]):
            j += 1
        for char in _fold(text[i:j]):
            kind = _kind(char)
            if kind == _DROP:
                continue
            if kind != _KEEP:
                if pending is None:
                    pending = (kind, i, j)
                elif kind > pending[0]:
                    pending = (kind, pending[1], pending[2])
                continue
            if pending is not None:
                if out:
                    out.append(HARD if pending[0] == _HARD else SOFT)
                    starts.append(pending[1])
                    ends.append(pending[2])
                pending = None
            out.append(char)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


def normalize(text: str) -> str:
    """The normalised form of ``text`` (see the module docstring)."""
    return normalize_with_offsets(text or "")[0]


def split_terms(query: str) -> list[str]:
    """Normalise a query and split it into terms on separators, keeping first occurrences."""
    terms: list[str] = []
    for term in normalize(query).split():
        if term not in terms:
            terms.append(term)
    return terms


def bigrams(text: str) -> set[str]:
    """Distinct kana-folded character bigrams of normalised text, never across a separator."""
    folded = fold_kana(text)
    return {
        folded[i : i + 2]
        for i in range(len(folded) - 1)
        if folded[i] not in (SOFT, HARD) and folded[i + 1] not in (SOFT, HARD)
    }

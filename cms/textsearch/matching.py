"""Does a query term occur in normalised text, and where?

A term (already normalised, no separators) matches text when it occurs:

* **contiguously** — with the kana rule: a hiragana character of the term also matches
  its katakana twin (``さろん`` finds ``サロン``); a katakana character also matches its
  hiragana twin only in terms of :data:`KATAKANA_FOLD_MIN_LENGTH` or more characters
  (``ヒトモノカネ`` finds ``ひと・もの・かね``, but ``ケア`` does not find ``助けあい``:
  two-character katakana words hide inside ordinary hiragana); everything else matches
  itself; or
* **split** (terms of :data:`SPLIT_MIN_LENGTH` to :data:`SPLIT_MAX_LENGTH` characters) —
  the term cut into two parts (or three, for terms up to :data:`SPLIT3_MAX_LENGTH`
  characters), each part at least :data:`PART_MIN_LENGTH` characters, the parts
  occurring in order, each gap between them at most :data:`MAX_GAP` characters and
  without a sentence break (``。`` ``.`` ``!`` ``?`` or a line break). So ``共生サロン``
  finds ``共生型のサロン運営`` (gap ``型の``) and ``ひとものかね`` finds ``ひと・もの・かね``,
  but not ``…地域共生社会。サロンは…`` (a sentence break) nor two parts a paragraph apart.

Two-part splits are tried before three-part ones; the first that matches anywhere in
the text wins. Contiguous matches score more than split ones (see selectors.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from .normalize import HARD, fold_kana, hiragana_of, katakana_of

PART_MIN_LENGTH = 2
KATAKANA_FOLD_MIN_LENGTH = 3
MAX_GAP = 6
SPLIT_MIN_LENGTH = 2 * PART_MIN_LENGTH
SPLIT_MAX_LENGTH = 16
SPLIT3_MAX_LENGTH = 12

Span = tuple[int, int]


@dataclass
class TermMatch:
    """How a term occurs in one text: contiguous spans, or chains of split-part spans."""

    contiguous: list[Span] = field(default_factory=list)
    split_chains: list[list[Span]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contiguous or self.split_chains)

    @property
    def weight(self) -> float:
        """Occurrences, a split occurrence counting half a contiguous one."""
        return len(self.contiguous) + 0.5 * len(self.split_chains)

    @property
    def spans(self) -> list[Span]:
        return self.contiguous + [span for chain in self.split_chains for span in chain]


@lru_cache(maxsize=2048)
def _pattern(part: str, fold_katakana: bool) -> re.Pattern:
    pieces = []
    for char in part:
        twin = katakana_of(char) or (hiragana_of(char) if fold_katakana else None)
        pieces.append(f"[{char}{twin}]" if twin else re.escape(char))
    return re.compile("".join(pieces))


def _occurrences(part: str, text: str, fold_katakana: bool) -> list[Span]:
    return [m.span() for m in _pattern(part, fold_katakana).finditer(text)]


def _splits(term: str, parts: int) -> list[list[str]]:
    length = len(term)
    cuts = range(PART_MIN_LENGTH, length - PART_MIN_LENGTH + 1)
    result = []
    for positions in combinations(cuts, parts - 1):
        bounds = (0, *positions, length)
        pieces = [term[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        if all(len(p) >= PART_MIN_LENGTH for p in pieces):
            result.append(pieces)
    return result


def _chains(pieces: list[str], text: str, fold_katakana: bool) -> list[list[Span]]:
    """Non-overlapping chains of the pieces, in order, each gap short and in one sentence."""
    occurrences = [_occurrences(piece, text, fold_katakana) for piece in pieces]
    if not all(occurrences):
        return []

    def extend(chain: list[Span]) -> list[Span] | None:
        if len(chain) == len(pieces):
            return chain
        end = chain[-1][1]
        for span in occurrences[len(chain)]:
            if span[0] > end + MAX_GAP:
                break
            if span[0] >= end and HARD not in text[end : span[0]]:
                found = extend([*chain, span])
                if found:
                    return found
        return None

    chains: list[list[Span]] = []
    last_end = -1
    for first in occurrences[0]:
        if first[0] < last_end:
            continue
        chain = extend([first])
        if chain:
            chains.append(chain)
            last_end = chain[-1][1]
    return chains


def match_term(term: str, text: str) -> TermMatch:
    """Where ``term`` occurs in ``text`` (both normalised), by the rules above."""
    fold_katakana = len(term) >= KATAKANA_FOLD_MIN_LENGTH
    match = TermMatch(contiguous=_occurrences(term, text, fold_katakana))
    if match.contiguous or not SPLIT_MIN_LENGTH <= len(term) <= SPLIT_MAX_LENGTH:
        return match
    max_parts = 3 if len(term) <= SPLIT3_MAX_LENGTH else 2
    for parts in range(2, max_parts + 1):
        for pieces in _splits(term, parts):
            chains = _chains(pieces, text, fold_katakana)
            if chains:
                match.split_chains = chains
                return match
    return match


def required_grams(term: str) -> set[str]:
    """Folded bigrams every text matching ``term`` must contain (the index prefilter).

    A contiguous match has all the term's bigrams; a split match may lack any bigram that
    straddles a permissible cut, so a splittable term requires only its first and last.
    """
    folded = fold_kana(term)
    grams = [folded[i : i + 2] for i in range(len(folded) - 1)]
    if SPLIT_MIN_LENGTH <= len(term) <= SPLIT_MAX_LENGTH:
        return {grams[0], grams[-1]}
    return set(grams)

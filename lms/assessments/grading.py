"""The grading engine: pure functions over a question snapshot and a trainee's response.

No database, no clock, no request: the same snapshot and response always give the same
grade, which is what makes regrading (after a question is corrected) and the statistics
reproducible. The snapshot and response shapes are the ones frozen into each attempt
(see ``docs/architecture.md``, "Assessments").

Rules, per question type:

* ``single`` / ``true_false``: full points when the chosen choice is marked correct.
* ``multiple``: ``all_or_nothing`` gives full points only when exactly the correct choices
  are picked. ``proportional``: each correct choice picked earns ``points / number of
  correct choices``; each wrong choice picked subtracts ``points / number of wrong
  choices``, so picking every choice scores 0; the total is clamped to ``[0, points]``.
* ``short_answer``: the answer and each accepted answer go through :func:`normalise_text`
  (Unicode NFKC, surrounding whitespace trimmed, inner runs of whitespace collapsed to one
  space, case folded, and with ``kana_insensitive`` katakana read as hiragana); equal to
  any accepted answer gives full points.
* ``numeric``: the typed value is read after NFKC (so ``"１２．５"`` is 12.5), with
  thousands separators tolerated only where they group three digits (``"1,234.5"``);
  anything else that is not a plain decimal number (``"12,5"``, ``"1e3"``, ``"約12"``)
  scores 0. Full points when ``|value - answer| <= tolerance``.
* ``ordering``: ``all_or_nothing`` gives full points for the exact order;
  ``proportional`` gives the share of items in their right place.
* ``essay``: an answer with text waits for an instructor (``needs_manual``); an empty one
  scores 0 at once.

An empty or missing response (``{}``) scores 0. Scores are rounded to two decimals,
half up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

__all__ = [
    "PUBLIC_CHOICE_KEYS",
    "PUBLIC_ITEM_KEYS",
    "PUBLIC_KEYS",
    "QUESTION_TYPES",
    "Grade",
    "attempt_percentage",
    "grade_response",
    "normalise_text",
    "parse_number",
    "public_question",
    "round_score",
]

QUESTION_TYPES = (
    "single",
    "multiple",
    "true_false",
    "short_answer",
    "numeric",
    "ordering",
    "essay",
)

TWO_PLACES = Decimal("0.01")

# What a trainee may see of a question before the review policy allows more. This is a
# list of what is kept, not of what is removed, so a key added to the snapshot later is
# hidden until someone decides it is safe to show.
PUBLIC_KEYS = ("id", "type", "text", "points", "category", "scoring", "unit", "display_order")
PUBLIC_CHOICE_KEYS = ("id", "text")
PUBLIC_ITEM_KEYS = ("id", "text")


@dataclass(frozen=True)
class Grade:
    """The grade of one response: ``score`` is None while an instructor has to grade it."""

    score: Decimal | None
    max_score: Decimal
    needs_manual: bool
    correct: bool | None


def round_score(value) -> Decimal:
    """A score as a Decimal with two places, rounded half up (also accepts Fractions)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    elif not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _decimal(value, default: str = "0") -> Decimal:
    if value is None or value == "":
        return Decimal(default)
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"Not a number in the question snapshot: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"Not a finite number in the question snapshot: {value!r}")
    return result


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ
_KATAKANA_TO_HIRAGANA.update({0x30FD: 0x309D, 0x30FE: 0x309E})  # ヽヾ → ゝゞ
_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str, *, kana_insensitive: bool) -> str:
    """Text as compared for short answers.

    NFKC (full-width letters and digits become ASCII, half-width ｶﾀｶﾅ becomes カタカナ,
    the ideographic space a space), invisible format characters (zero-width space, BOM)
    dropped, trimmed, inner whitespace collapsed, case folded;
    with ``kana_insensitive`` katakana becomes hiragana (ー stays, as both scripts use it).
    """
    text = unicodedata.normalize("NFKC", text or "")
    # Invisible format characters a copy and paste brings along (zero-width space, BOM).
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _WHITESPACE.sub(" ", text).strip()
    text = unicodedata.normalize("NFKC", text.casefold())
    if kana_insensitive:
        text = text.translate(_KATAKANA_TO_HIRAGANA)
    return text


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
# Minus signs NFKC leaves alone.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})


def parse_number(value) -> Decimal | None:
    """A typed number as a Decimal, or None when it cannot be read unambiguously."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).translate(_MINUS_SIGNS)
    text = _WHITESPACE.sub("", text)
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    elif not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above only let numbers through
        return None


def _result(earned, points: Decimal) -> Grade:
    earned = Fraction(earned)
    earned = min(max(earned, Fraction(0)), Fraction(points))
    score = round_score(earned)
    max_score = round_score(points)
    return Grade(score=score, max_score=max_score, needs_manual=False, correct=score == max_score)


def _choice_ids(question: dict) -> tuple[set[str], set[str]]:
    correct, wrong = set(), set()
    for choice in question.get("choices") or ():
        (correct if choice.get("correct") else wrong).add(str(choice["id"]))
    return correct, wrong


def _grade_single(question: dict, response: dict, points: Decimal) -> Grade:
    correct, _wrong = _choice_ids(question)
    chosen = response.get("choice")
    return _result(points if chosen is not None and str(chosen) in correct else 0, points)


def _grade_multiple(question: dict, response: dict, points: Decimal) -> Grade:
    correct, wrong = _choice_ids(question)
    picked = {str(choice) for choice in response.get("choices") or ()}
    picked &= correct | wrong  # ids that are not choices of this question count for nothing
    if not picked:
        return _result(0, points)
    if question.get("scoring") == "proportional":
        whole = Fraction(points)
        earned = Fraction(0)
        if correct:
            earned += whole * len(picked & correct) / len(correct)
        if wrong:
            earned -= whole * len(picked & wrong) / len(wrong)
        return _result(earned, points)
    return _result(points if picked == correct else 0, points)


def _grade_short_answer(question: dict, response: dict, points: Decimal) -> Grade:
    kana = bool(question.get("kana_insensitive"))
    given = normalise_text(str(response.get("text") or ""), kana_insensitive=kana)
    if not given:
        return _result(0, points)
    accepted = {
        normalise_text(str(answer), kana_insensitive=kana)
        for answer in question.get("accepted_answers") or ()
    }
    accepted.discard("")
    return _result(points if given in accepted else 0, points)


def _grade_numeric(question: dict, response: dict, points: Decimal) -> Grade:
    value = parse_number(response.get("value"))
    if value is None:
        return _result(0, points)
    answer = _decimal(question.get("answer"))
    tolerance = abs(_decimal(question.get("tolerance")))
    return _result(points if abs(value - answer) <= tolerance else 0, points)


def _grade_ordering(question: dict, response: dict, points: Decimal) -> Grade:
    expected = [str(item["id"]) for item in question.get("items") or ()]
    given = [str(item) for item in response.get("order") or ()]
    if not given or not expected:
        return _result(0, points)
    if question.get("scoring") == "proportional":
        in_place = sum(
            1 for index, item in enumerate(expected) if index < len(given) and given[index] == item
        )
        return _result(Fraction(points) * in_place / len(expected), points)
    return _result(points if given == expected else 0, points)


def _grade_essay(question: dict, response: dict, points: Decimal) -> Grade:
    if not str(response.get("text") or "").strip():
        return _result(0, points)
    return Grade(score=None, max_score=round_score(points), needs_manual=True, correct=None)


_GRADERS = {
    "single": _grade_single,
    "true_false": _grade_single,
    "multiple": _grade_multiple,
    "short_answer": _grade_short_answer,
    "numeric": _grade_numeric,
    "ordering": _grade_ordering,
    "essay": _grade_essay,
}


def grade_response(question: dict, response: dict) -> Grade:
    """Grade one response against the question snapshot it was given for."""
    try:
        grader = _GRADERS[question["type"]]
    except KeyError as exc:
        raise ValueError(f"Unknown question type: {question.get('type')!r}") from exc
    points = _decimal(question.get("points"))
    if points < 0:
        raise ValueError(f"Negative points in the question snapshot: {points}")
    return grader(question, response if isinstance(response, dict) else {}, points)


def _public_items(question: dict) -> list[dict]:
    items = {str(item["id"]): item for item in question.get("items") or ()}
    order = [
        str(item_id) for item_id in question.get("display_order") or () if str(item_id) in items
    ]
    # Items missing from the display order must not fall back to the correct order.
    order += sorted(set(items) - set(order))
    return [
        {key: items[item_id][key] for key in PUBLIC_ITEM_KEYS if key in items[item_id]}
        for item_id in order
    ]


def public_question(question: dict) -> dict:
    """The snapshot as a trainee may see it while the attempt is open.

    Keeps only the keys in ``PUBLIC_KEYS`` (so correct markers, per-choice and general
    feedback, the explanation, accepted answers, the numeric answer and tolerance and the
    rubric are gone); choices keep their id and text in the order displayed; ordering
    items are listed in the order first shown, never in the correct order.
    """
    public = {key: question[key] for key in PUBLIC_KEYS if key in question}
    if "choices" in question:
        public["choices"] = [
            {key: choice[key] for key in PUBLIC_CHOICE_KEYS if key in choice}
            for choice in question.get("choices") or ()
        ]
    if "items" in question:
        public["items"] = _public_items(question)
        public["display_order"] = [item["id"] for item in public["items"]]
    return public


def attempt_percentage(scores: list[Decimal], max_scores: list[Decimal]) -> Decimal:
    """The attempt's score as a percentage from 0 to 100, two decimals, rounded half up.

    A score of None (not graded yet) counts as 0; an attempt worth nothing is 0 %.
    """
    total_max = sum((_decimal(value) for value in max_scores), Decimal(0))
    if total_max <= 0:
        return Decimal("0.00")
    total = sum((_decimal(value) for value in scores if value is not None), Decimal(0))
    percentage = round_score(Fraction(total) * 100 / Fraction(total_max))
    return min(max(percentage, Decimal("0.00")), Decimal("100.00"))

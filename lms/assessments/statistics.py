"""Quiz statistics for instructors: the figures (pure functions) and the rows they read.

The pure part works on plain rows, one per graded attempt (:class:`AttemptRow`), each with
its answers (:class:`AnswerRow`), so the formulas are tested against hand-computed
figures without a database. :func:`quiz_attempt_rows` loads those rows for a quiz in a
constant number of queries.

Figures:

* **attempts**, **trainees** (distinct users), **average** and **median** of the attempt
  percentages, **highest** and **lowest**, **pass rate** (share of attempts that passed,
  in %).
* per question, **facility index** ``F = Σ score / Σ max score`` over the attempts that
  were given the question (with the same points everywhere this is the mean score divided
  by the points): 1.00 everyone got full marks, 0.00 nobody scored.
* per question, **discrimination index**: the corrected item-total correlation, i.e.
  Pearson's correlation between the question's score ``x`` and the rest-of-test
  percentage ``y`` of the same attempt (the attempt's score without this question,
  ``y = (total - x) / (total max - question max) × 100``, so a quiz drawing questions at
  random compares like with like)::

      r = Σ (x - x̄)(y - ȳ) / √( Σ (x - x̄)² · Σ (y - ȳ)² )

  From -1 to 1: high when those who did well on the rest of the quiz did well on this
  question; near 0 or negative flags a question worth reviewing. None with fewer than
  two attempts or when either side does not vary (everyone got the same score).
* per choice question, how often each choice was picked: the count, and the share of the
  attempts given the question.
"""

from __future__ import annotations

import math
import statistics as pystats
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CHOICE_TYPES = ("single", "multiple", "true_false")
TWO_PLACES = Decimal("0.01")


def _two_places(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AnswerRow:
    """One graded answer: its final score, the question's points and the choice ids picked."""

    question_id: str
    score: Decimal
    max_score: Decimal
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptRow:
    """One graded attempt as the statistics need it."""

    attempt_id: int
    user_id: int
    score: Decimal
    max_score: Decimal
    percentage: Decimal
    passed: bool
    answers: tuple[AnswerRow, ...] = ()


@dataclass(frozen=True)
class ChoiceInfo:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class QuestionInfo:
    """What the statistics show of a question: taken from the latest snapshot of it."""

    id: str
    type: str
    text: str
    position: int
    choices: tuple[ChoiceInfo, ...] = ()


@dataclass(frozen=True)
class Summary:
    attempts: int
    trainees: int
    average: Decimal | None
    median: Decimal | None
    highest: Decimal | None
    lowest: Decimal | None
    passed: int
    pass_rate: Decimal | None


@dataclass(frozen=True)
class ChoiceFrequency:
    choice: ChoiceInfo
    count: int
    share: Decimal | None  # % of the attempts given the question


@dataclass(frozen=True)
class QuestionStatistics:
    question: QuestionInfo
    responses: int  # attempts given the question
    mean_score: Decimal | None
    max_score: Decimal | None
    facility: Decimal | None
    discrimination: Decimal | None
    choices: tuple[ChoiceFrequency, ...] = field(default_factory=tuple)


def summarise(rows: list[AttemptRow]) -> Summary:
    """The quiz-level figures over graded attempts."""
    percentages = [Decimal(row.percentage) for row in rows]
    if not percentages:
        return Summary(0, 0, None, None, None, None, 0, None)
    passed = sum(1 for row in rows if row.passed)
    return Summary(
        attempts=len(rows),
        trainees=len({row.user_id for row in rows}),
        average=_two_places(sum(percentages) / len(percentages)),
        median=_two_places(pystats.median(percentages)),
        highest=_two_places(max(percentages)),
        lowest=_two_places(min(percentages)),
        passed=passed,
        pass_rate=_two_places(Decimal(passed) * 100 / len(rows)),
    )


def facility_index(scores: list[Decimal], max_scores: list[Decimal]) -> Decimal | None:
    """``Σ score / Σ max score``, two decimals; None when there is nothing to divide by."""
    total_max = sum(max_scores, Decimal(0))
    if not scores or total_max <= 0:
        return None
    return _two_places(sum(scores, Decimal(0)) / total_max)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None with fewer than two pairs or when either side is constant."""
    if len(xs) != len(ys):
        raise ValueError("correlation needs pairs")
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def discrimination_index(pairs: list[tuple[AnswerRow, AttemptRow]]) -> Decimal | None:
    """Corrected item-total correlation of one question (see the module docstring)."""
    xs, ys = [], []
    for answer, attempt in pairs:
        rest_max = Decimal(attempt.max_score) - Decimal(answer.max_score)
        rest = Decimal(attempt.score) - Decimal(answer.score)
        xs.append(float(answer.score))
        ys.append(float(rest / rest_max * 100) if rest_max > 0 else 0.0)
    r = correlation(xs, ys)
    return None if r is None else _two_places(round(r, 6))


def question_statistics(
    rows: list[AttemptRow], questions: list[QuestionInfo]
) -> list[QuestionStatistics]:
    """Per-question figures, in the order of ``questions``."""
    by_question: dict[str, list[tuple[AnswerRow, AttemptRow]]] = defaultdict(list)
    for attempt in rows:
        for answer in attempt.answers:
            by_question[answer.question_id].append((answer, attempt))
    result = []
    for question in questions:
        pairs = by_question.get(question.id, [])
        scores = [Decimal(answer.score) for answer, _attempt in pairs]
        maxima = [Decimal(answer.max_score) for answer, _attempt in pairs]
        counts: dict[str, int] = defaultdict(int)
        for answer, _attempt in pairs:
            for choice_id in set(answer.choices):
                counts[choice_id] += 1
        frequencies = tuple(
            ChoiceFrequency(
                choice=choice,
                count=counts.get(choice.id, 0),
                share=_two_places(Decimal(counts.get(choice.id, 0)) * 100 / len(pairs))
                if pairs
                else None,
            )
            for choice in question.choices
        )
        result.append(
            QuestionStatistics(
                question=question,
                responses=len(pairs),
                mean_score=_two_places(sum(scores) / len(scores)) if scores else None,
                max_score=_two_places(max(maxima)) if maxima else None,
                facility=facility_index(scores, maxima),
                discrimination=discrimination_index(pairs),
                choices=frequencies,
            )
        )
    return result


def questions_from_snapshots(snapshots: list[tuple[int, dict]]) -> list[QuestionInfo]:
    """The questions the statistics list, from ``(position, snapshot)`` pairs.

    Later pairs win (pass them oldest attempt first, so a corrected text shows); the
    questions are ordered by the first position they were seen at, then by id.
    """
    latest: dict[str, dict] = {}
    first_position: dict[str, int] = {}
    for position, snapshot in snapshots:
        question_id = str(snapshot["id"])
        latest[question_id] = snapshot
        first_position.setdefault(question_id, position)
    infos = []
    for question_id, snapshot in latest.items():
        choices = ()
        if snapshot.get("type") in CHOICE_TYPES:
            # Shuffled per attempt: list the choices in a stable order (by id is stable but
            # arbitrary; the snapshot of the latest attempt is as good as any).
            choices = tuple(
                ChoiceInfo(
                    id=str(choice["id"]),
                    text=str(choice.get("text", "")),
                    correct=bool(choice.get("correct")),
                )
                for choice in snapshot.get("choices") or ()
            )
        infos.append(
            QuestionInfo(
                id=question_id,
                type=str(snapshot.get("type", "")),
                text=str(snapshot.get("text", "")),
                position=first_position[question_id],
                choices=choices,
            )
        )
    infos.sort(key=lambda info: (info.position, info.id))
    return infos


def picked_choices(question: dict, response: dict) -> tuple[str, ...]:
    """The choice ids a response picked (single, true/false, multiple); () otherwise."""
    if not isinstance(response, dict) or question.get("type") not in CHOICE_TYPES:
        return ()
    if question.get("type") == "multiple":
        return tuple(str(choice) for choice in response.get("choices") or ())
    choice = response.get("choice")
    return () if choice in (None, "") else (str(choice),)


# --- Loading the rows -------------------------------------------------------------------


@dataclass(frozen=True)
class QuizStatistics:
    """Everything the statistics page and its CSV show for one quiz."""

    summary: Summary
    questions: list[QuestionStatistics]
    rows: list[AttemptRow]


def _authored_order(quiz) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Question and choice positions in the quiz as authored now (read from the raw JSON,
    so without a query), to list them in a stable order whatever each attempt's shuffle."""
    questions: dict[str, int] = {}
    choices: dict[str, dict[str, int]] = {}
    raw = getattr(quiz.questions, "raw_data", None) or []
    for index, block in enumerate(raw):
        block_id = str(block.get("id", ""))
        questions[block_id] = index
        value = block.get("value") or {}
        listed = value.get("choices") if isinstance(value, dict) else None
        if isinstance(listed, list):
            choices[block_id] = {
                str(item.get("id")): position
                for position, item in enumerate(listed)
                if isinstance(item, dict)
            }
    return questions, choices


def quiz_attempt_rows(
    quiz, *, first_only: bool = False
) -> tuple[list[AttemptRow], list[QuestionInfo]]:
    """The graded attempts of ``quiz`` as rows, and the questions they were asked.

    With ``first_only``, only each trainee's first attempt counts (item analysis is often
    done on first attempts: a retake has seen the questions before).

    Two queries whatever the number of attempts and questions: the attempts, and their
    answers. Each answer counts with its final score against the question it was graded
    against (the corrected one after a regrade). An attempt's total for the
    discrimination index is the sum of its answers' scores, so an override of the whole
    attempt changes its percentage in the summary but not the per-question figures.
    """
    from django.db.models import Prefetch

    from .models import Answer, Attempt

    answers = Answer.objects.order_by("position").only(
        "attempt_id",
        "position",
        "question_id",
        "question",
        "corrected_question",
        "response",
        "score",
        "max_score",
    )
    attempts = Attempt.objects.filter(quiz=quiz, status=Attempt.Status.GRADED)
    if first_only:
        attempts = attempts.filter(number=1)
    attempts = (
        attempts.order_by("submitted_at", "pk")
        .only("pk", "user_id", "percentage", "passed", "max_score", "score")
        .prefetch_related(Prefetch("answers", queryset=answers))
    )
    rows: list[AttemptRow] = []
    snapshots: list[tuple[int, dict]] = []
    order, choice_order = _authored_order(quiz)
    for attempt in attempts:
        answer_rows = []
        for answer in attempt.answers.all():
            question = answer.corrected_question or answer.question
            snapshots.append(
                (order.get(answer.question_id, len(order) + answer.position), question)
            )
            answer_rows.append(
                AnswerRow(
                    question_id=answer.question_id,
                    score=answer.score if answer.score is not None else Decimal(0),
                    max_score=answer.max_score,
                    choices=picked_choices(question, answer.response),
                )
            )
        rows.append(
            AttemptRow(
                attempt_id=attempt.pk,
                user_id=attempt.user_id,
                score=sum((a.score for a in answer_rows), Decimal(0)),
                max_score=sum((a.max_score for a in answer_rows), Decimal(0)),
                percentage=attempt.percentage if attempt.percentage is not None else Decimal(0),
                passed=bool(attempt.passed),
                answers=tuple(answer_rows),
            )
        )
    questions = []
    for info in questions_from_snapshots(snapshots):
        positions = choice_order.get(info.id, {})
        ordered = sorted(
            info.choices, key=lambda choice: (positions.get(choice.id, len(positions)), choice.id)
        )
        questions.append(
            QuestionInfo(
                id=info.id,
                type=info.type,
                text=info.text,
                position=info.position,
                choices=tuple(ordered),
            )
        )
    return rows, questions


def quiz_statistics(quiz, *, first_only: bool = False) -> QuizStatistics:
    """The statistics of ``quiz`` over its graded attempts (two queries)."""
    rows, questions = quiz_attempt_rows(quiz, first_only=first_only)
    return QuizStatistics(
        summary=summarise(rows), questions=question_statistics(rows, questions), rows=rows
    )

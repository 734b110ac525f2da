"""Quiz statistics against figures computed by hand."""

from decimal import Decimal

from lms.assessments.statistics import (
    AnswerRow,
    AttemptRow,
    ChoiceInfo,
    QuestionInfo,
    correlation,
    discrimination_index,
    facility_index,
    picked_choices,
    question_statistics,
    questions_from_snapshots,
    summarise,
)

D = Decimal


def attempt(attempt_id, user_id, scores, percentage, passed, picks=()):
    """Three questions worth one point each; q1 is a single choice question (a is right)."""
    answers = tuple(
        AnswerRow(
            question_id=f"q{i + 1}",
            score=D(score),
            max_score=D(1),
            choices=tuple(picks) if i == 0 else (),
        )
        for i, score in enumerate(scores)
    )
    return AttemptRow(
        attempt_id=attempt_id,
        user_id=user_id,
        score=D(sum(scores)),
        max_score=D(3),
        percentage=D(percentage),
        passed=passed,
        answers=answers,
    )


ROWS = [
    attempt(1, 1, [1, 1, 1], "100.00", True, ["a"]),
    attempt(2, 2, [1, 1, 0], "66.67", True, ["a"]),
    attempt(3, 3, [0, 1, 0], "33.33", False, ["b"]),
    attempt(4, 3, [0, 0, 0], "0.00", False, []),
]
QUESTIONS = [
    QuestionInfo(
        id="q1",
        type="single",
        text="Q1",
        position=0,
        choices=(
            ChoiceInfo("a", "A", True),
            ChoiceInfo("b", "B", False),
            ChoiceInfo("c", "C", False),
        ),
    ),
    QuestionInfo(id="q2", type="numeric", text="Q2", position=1),
    QuestionInfo(id="q3", type="essay", text="Q3", position=2),
]


def test_summary_by_hand():
    summary = summarise(ROWS)
    assert summary.attempts == 4
    assert summary.trainees == 3
    # (100 + 66.67 + 33.33 + 0) / 4
    assert summary.average == D("50.00")
    # median of 0, 33.33, 66.67, 100: (33.33 + 66.67) / 2
    assert summary.median == D("50.00")
    assert (summary.highest, summary.lowest) == (D("100.00"), D("0.00"))
    assert summary.passed == 2
    assert summary.pass_rate == D("50.00")


def test_summary_of_nothing():
    summary = summarise([])
    assert summary.attempts == 0
    assert summary.average is None and summary.pass_rate is None


def test_facility_by_hand():
    stats = {s.question.id: s for s in question_statistics(ROWS, QUESTIONS)}
    assert stats["q1"].facility == D("0.50")  # 2 of 4 points
    assert stats["q2"].facility == D("0.75")  # 3 of 4
    assert stats["q3"].facility == D("0.25")  # 1 of 4
    assert stats["q2"].mean_score == D("0.75")
    assert stats["q2"].max_score == D("1.00")
    assert [s.responses for s in stats.values()] == [4, 4, 4]


def test_discrimination_by_hand():
    """q1: x = 1,1,0,0; rest-of-test % y = (3-1)/2, (2-1)/2, (1-0)/2, 0 → 100, 50, 50, 0.

    x̄ = .5, ȳ = 50; Σdxdy = .5·50 + .5·0 - .5·0 - .5·(-50) = 50; Σdx² = 1; Σdy² = 5000;
    r = 50 / √5000 = 0.7071.
    q2: x = 1,1,1,0; y = 100, 50, 0, 0 → Σdxdy = 37.5, Σdx² = .75, Σdy² = 6875, r = 0.5222.
    """
    stats = {s.question.id: s for s in question_statistics(ROWS, QUESTIONS)}
    assert stats["q1"].discrimination == D("0.71")
    assert stats["q2"].discrimination == D("0.52")
    assert stats["q3"].discrimination == D("0.52")


def test_a_question_everyone_answered_alike_has_no_discrimination():
    rows = [
        attempt(1, 1, [1, 1, 0], "66.67", True),
        attempt(2, 2, [1, 0, 0], "33.33", False),
    ]
    stats = {s.question.id: s for s in question_statistics(rows, QUESTIONS)}
    assert stats["q1"].discrimination is None  # everyone full marks
    assert stats["q1"].facility == D("1.00")
    assert stats["q3"].discrimination is None  # everyone zero
    assert stats["q3"].facility == D("0.00")


def test_a_question_that_discriminates_the_wrong_way_is_negative():
    rows = [
        attempt(1, 1, [0, 1, 1], "66.67", True),
        attempt(2, 2, [1, 0, 0], "33.33", False),
    ]
    stats = {s.question.id: s for s in question_statistics(rows, QUESTIONS)}
    assert stats["q1"].discrimination == D("-1.00")


def test_choice_frequencies_by_hand():
    stats = question_statistics(ROWS, QUESTIONS)[0]
    assert [(f.choice.id, f.count, f.share) for f in stats.choices] == [
        ("a", 2, D("50.00")),
        ("b", 1, D("25.00")),
        ("c", 0, D("0.00")),
    ]
    assert [f.choice.correct for f in stats.choices] == [True, False, False]
    assert question_statistics(ROWS, QUESTIONS)[1].choices == ()


def test_random_draw_counts_only_the_attempts_given_the_question():
    """Attempt 2 was not given q2 (a random draw): q2's figures rest on attempts 1 and 3."""
    rows = [
        AttemptRow(
            1,
            1,
            D(3),
            D(4),
            D("75.00"),
            True,
            (
                AnswerRow("q1", D(1), D(2), ("a", "c", "a")),
                AnswerRow("q2", D(2), D(2)),
            ),
        ),
        AttemptRow(2, 2, D(1), D(2), D("50.00"), False, (AnswerRow("q1", D(1), D(2), ("c",)),)),
        AttemptRow(
            3,
            3,
            D(2),
            D(4),
            D("50.00"),
            False,
            (
                AnswerRow("q1", D(2), D(2), ("a",)),
                AnswerRow("q2", D(0), D(2)),
            ),
        ),
    ]
    questions = [
        QuestionInfo(
            "q1", "multiple", "Q1", 0, (ChoiceInfo("a", "A", True), ChoiceInfo("c", "C", False))
        ),
        QuestionInfo("q2", "numeric", "Q2", 1),
        QuestionInfo("q9", "numeric", "never drawn", 2),
    ]
    q1, q2, q9 = question_statistics(rows, questions)
    assert q1.responses == 3
    assert q1.facility == D("0.67")  # (1 + 1 + 2) / 6
    # a picked in attempts 1 and 3 (twice in 1 counts once), c in 1 and 2
    assert [(f.count, f.share) for f in q1.choices] == [(2, D("66.67")), (2, D("66.67"))]
    assert q2.responses == 2
    assert q2.facility == D("0.50")
    # q2: x = 2, 0; rest = (3-2)/(4-2) = 50 %, (2-0)/2 = 100 % → perfectly inverse
    assert q2.discrimination == D("-1.00")
    assert (q9.responses, q9.facility, q9.discrimination, q9.mean_score) == (0, None, None, None)


def test_facility_uses_the_sum_of_points():
    assert facility_index([D(1), D(3)], [D(2), D(4)]) == D("0.67")
    assert facility_index([], []) is None
    assert facility_index([D(0)], [D(0)]) is None


def test_correlation():
    assert correlation([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]) == 1.0
    assert round(correlation([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]), 9) == -1.0
    assert correlation([1.0], [1.0]) is None
    assert correlation([1.0, 1.0], [1.0, 2.0]) is None


def test_discrimination_when_the_quiz_has_one_question():
    rows = [
        AttemptRow(1, 1, D(1), D(1), D(100), True, (AnswerRow("q", D(1), D(1)),)),
        AttemptRow(2, 2, D(0), D(1), D(0), False, (AnswerRow("q", D(0), D(1)),)),
    ]
    # No rest of the test to correlate with.
    assert discrimination_index([(r.answers[0], r) for r in rows]) is None


def test_questions_from_snapshots_keeps_the_latest_text_and_first_position():
    snapshots = [
        (
            0,
            {
                "id": "b",
                "type": "single",
                "text": "old",
                "choices": [{"id": "x", "text": "X", "correct": True}],
            },
        ),
        (1, {"id": "a", "type": "essay", "text": "essay"}),
        (0, {"id": "a", "type": "essay", "text": "essay"}),
        (
            1,
            {
                "id": "b",
                "type": "single",
                "text": "new",
                "choices": [{"id": "x", "text": "X2", "correct": False}],
            },
        ),
    ]
    infos = questions_from_snapshots(snapshots)
    assert [(i.id, i.position, i.text) for i in infos] == [("b", 0, "new"), ("a", 1, "essay")]
    assert infos[0].choices == (ChoiceInfo("x", "X2", False),)
    assert infos[1].choices == ()


def test_picked_choices():
    assert picked_choices({"type": "single"}, {"choice": "a"}) == ("a",)
    assert picked_choices({"type": "true_false"}, {}) == ()
    assert picked_choices({"type": "multiple"}, {"choices": ["a", "b"]}) == ("a", "b")
    assert picked_choices({"type": "numeric"}, {"value": "1"}) == ()

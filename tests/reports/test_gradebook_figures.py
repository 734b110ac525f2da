"""The gradebook's figures against a hand-computed cohort, and against the completion rule."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lms.certificates.eligibility import eligibilities
from lms.courses.models import Enrollment
from lms.reports.gradebook.selectors import (
    State,
    gradebook,
    gradebook_columns,
    gradebook_rows,
    rows_filter,
    rows_sort,
)
from tests.reports.gradebook_fixtures import EXPECTED, small

__all__ = ["small"]


@pytest.fixture
def data(small, db):
    return small


def _figures(row, titles):
    return {
        "name": row.name,
        "cohort": row.cohort_name,
        "progress": row.progress_percent,
        "lessons": row.lessons_completed,
        "quizzes": {
            titles[quiz_id]: (result.best, result.passed, result.attempts)
            for quiz_id, result in row.quizzes.items()
        },
        "hours": row.approved_hours,
        "certificate": row.certificate_status,
        "state": row.state,
        "complete": row.complete,
    }


def test_every_figure_matches_the_hand_computed_cohort(data):
    with CaptureQueriesContext(connection) as queries:
        book = gradebook(course=data["course"])
    assert len(queries) == 4
    titles = {quiz.id: quiz.title for quiz in book.quizzes}
    assert sorted(titles.values()) == ["任意テストC", "確認テストA", "確認テストB"]
    assert [q.required for q in book.quizzes if q.title == "任意テストC"] == [False]
    assert book.lessons_total == 3
    assert book.required_hours == Decimal("5")
    with translation.override("ja"):
        figures = {row.email: _figures(row, titles) for row in book.rows}
    # Withdrawn, pending and the other course's trainees are not listed.
    assert figures == EXPECTED
    # Default order: by reading (あおき, いのうえ, うえだ, えんどう, おおの).
    assert [row.email.split("@")[0] for row in book.rows] == [
        "aoki",
        "inoue",
        "ueda",
        "endo",
        "ono",
    ]
    row = next(r for r in book.rows if r.email == "inoue@example.com")
    assert (row.quizzes_passed, row.quizzes_required, row.lessons_total) == (1, 2, 3)
    assert row.quiz(data["quizzes"][1].pk).attempts == 0  # no attempt at B


def test_the_rows_agree_with_the_completion_rule(data):
    rows = gradebook_rows(course=data["course"])
    enrollments = Enrollment.objects.filter(pk__in=[r.enrollment_id for r in rows]).select_related(
        "course"
    )
    rule = eligibilities(enrollments)
    for row in rows:
        expected = rule[row.enrollment_id]
        assert (
            row.lessons_completed,
            row.lessons_total,
            row.quizzes_passed,
            row.quizzes_required,
            row.approved_hours,
            row.required_hours,
            row.complete,
        ) == (
            expected.lessons_completed,
            expected.lessons_total,
            expected.quizzes_passed,
            expected.quizzes_total,
            expected.approved_hours,
            expected.required_hours,
            expected.complete,
        ), row.email


def test_a_cohort_lists_only_its_trainees(data):
    second = data["cohorts"][1]
    rows = gradebook_rows(course=data["course"], cohort=second)
    assert [row.email for row in rows] == ["ono@example.com"]


@pytest.mark.parametrize(
    "search, emails",
    [
        ("上田", ["ueda@example.com"]),
        ("ウエダ", ["ueda@example.com"]),  # katakana finds the hiragana reading
        ("ｳｴﾀﾞ", ["ueda@example.com"]),  # half-width katakana (NFKC)
        ("ＩＮＯＵＥ", ["inoue@example.com"]),  # full-width letters in the e-mail
        ("大野　愛", ["ono@example.com"]),  # a full-width space between the names
        ("いのうえ たろう", []),
    ],
)
def test_search_by_name_kana_or_email(data, search, emails):
    book = gradebook(course=data["course"], search=search)
    assert [row.email for row in book.rows] == emails


@pytest.mark.parametrize(
    "state, names",
    [
        (State.NOT_STARTED, ["aoki"]),
        (State.IN_PROGRESS, ["inoue"]),
        (State.STALLED, ["endo"]),
        (State.READY, ["ueda"]),
        (State.CERTIFIED, ["ono"]),
        ("", ["aoki", "inoue", "ueda", "endo", "ono"]),
        ("nonsense", ["aoki", "inoue", "ueda", "endo", "ono"]),
    ],
)
def test_filter_by_standing(data, state, names):
    rows = rows_filter(gradebook_rows(course=data["course"]), state=state)
    assert [row.email.split("@")[0] for row in rows] == names


def test_sort_by_any_column_rows_without_a_value_last(data):
    book = gradebook(course=data["course"])
    columns = gradebook_columns(book)
    quiz_c = data["quizzes"][2].pk

    def order(key):
        rows, applied = rows_sort(book.rows, columns, key)
        return [row.email.split("@")[0] for row in rows], applied

    assert order("-progress")[0][:2] == ["ueda", "ono"]
    assert order("progress") == (["aoki", "inoue", "endo", "ueda", "ono"], "progress")
    assert order("-hours")[0] == ["ono", "ueda", "inoue", "aoki", "endo"]
    # Only 井上 has a score at quiz C: first both ways, the others after by reading.
    assert order(f"quiz-{quiz_c}")[0] == ["inoue", "aoki", "ueda", "endo", "ono"]
    assert order(f"-quiz-{quiz_c}")[0] == ["inoue", "aoki", "ueda", "endo", "ono"]
    assert order("-certificate")[0][:2] in (["ueda", "ono"], ["ono", "ueda"])
    assert order("state")[0] == ["aoki", "inoue", "endo", "ueda", "ono"]
    assert order("unknown") == (["aoki", "inoue", "ueda", "endo", "ono"], "")


def test_a_course_with_nothing_required_has_no_one_ready(site_tree):
    from tests.factories import fieldwork as ff
    from tests.factories.courses import course_tree

    course = course_tree(site_tree, slug="empty", lessons=0)
    enrollment = ff.enrolled(course)
    rows = gradebook_rows(course=course)
    assert [(r.enrollment_id, r.complete, r.state, r.progress_percent) for r in rows] == [
        (enrollment.pk, False, State.NOT_STARTED, 0)
    ]

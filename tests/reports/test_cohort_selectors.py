"""The cohort dashboard's figures, on a small cohort whose every number is known by hand.

Today is Thursday 26 November 2026 (ISO week 48). The cohort runs from Monday 2 November
to Tuesday 1 December 2026, so its weeks are W45 (2 Nov), W46 (9 Nov), W47 (16 Nov) and
W48 (23 Nov), and its end is 5 days away. The course asks for 4 required lessons, one
required quiz and 3 approved fieldwork hours.

    A  4 lessons, quiz passed, 3 h approved, certificate issued (completed)
    B  4 lessons, quiz passed, no fieldwork; viewed a lesson on 25 Nov
    C  2 lessons (the last on Sunday 8 Nov at 23:30 in Tokyo), a failed quiz before the start
    D  1 lesson (Monday 9 Nov at 00:30 in Tokyo, still Sunday in UTC)
    E  nothing at all
    F  withdrawn after one lesson on 4 Nov
    G  another cohort of the same course, one lesson on 10 Nov
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from lms.assessments.models import Attempt
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment, LessonProgress
from lms.reports.cohorts import selectors
from lms.reports.cohorts.views import risk_reasons
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = datetime.date(2026, 11, 26)


def at(day, hour=10, minute=0):
    """A moment in Tokyo on ``day`` November 2026."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TOKYO)


APPROVED = datetime.datetime(2026, 10, 20, 9, 0, tzinfo=TOKYO)


def _enroll(course, cohort, kana, *, status="active", last_activity_at=None):
    user = TraineeFactory(last_name=f"受講者{kana}", last_name_kana=kana, first_name_kana="あ")
    return Enrollment.objects.create(
        user=user,
        course=course,
        cohort=cohort,
        status=status,
        created_at=APPROVED,
        status_changed_at=APPROVED,
        last_activity_at=last_activity_at,
    )


def _lessons(enrollment, lessons, *moments):
    for lesson, moment in zip(lessons, moments, strict=False):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson, completed_at=moment)


def _attempt(quiz, enrollment, *, number=1, passed=True, submitted_at=None, status="graded"):
    return Attempt.objects.create(
        quiz=quiz,
        user=enrollment.user,
        enrollment=enrollment,
        number=number,
        status=status,
        started_at=(submitted_at or at(20)) - datetime.timedelta(minutes=20),
        submitted_at=submitted_at,
        max_score=Decimal(1),
        score=Decimal(1 if passed else 0),
        percentage=Decimal(100 if passed else 0),
        passed=passed if status == "graded" else None,
    )


@pytest.fixture
def world(site_tree):
    course = course_tree(site_tree, slug="dashboard", lessons=4)
    lessons = lessons_of(course)
    quiz = qf.make_quiz(course, title="基礎確認テスト")
    ff.requirement(course, hours="3")
    cohort = make_cohort(
        course, starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 12, 1)
    )
    other = make_cohort(
        course,
        name="第2期",
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2026, 12, 1),
    )

    a = _enroll(course, cohort, "あ", status="completed", last_activity_at=at(11))
    _lessons(a, lessons, at(3), at(4), at(10), at(11))
    _attempt(quiz, a, submitted_at=at(12))
    ff.entry(a, status="approved", hours=Decimal("3"), submitted_at=at(17))
    Certificate.objects.create(
        enrollment=a,
        serial="RPA-2026-000001",
        year=2026,
        sequence=1,
        status=Certificate.Status.ISSUED,
        name="受講者あ",
        course_title=course.title,
        completed_on=datetime.date(2026, 11, 17),
        language="ja",
        pdf_file="certificates/RPA-2026-000001.pdf",
    )

    b = _enroll(course, cohort, "い", last_activity_at=at(25))
    _lessons(b, lessons, at(3, 9), at(3, 11), at(24, 9), at(24, 11))
    _attempt(quiz, b, submitted_at=at(24, 12))
    ff.entry(b, status="draft", submitted_at=None)  # a draft is not logged yet

    c = _enroll(course, cohort, "う", last_activity_at=at(5))
    _lessons(c, lessons, at(5), at(8, 23, 30))
    _attempt(quiz, c, passed=False, submitted_at=datetime.datetime(2026, 10, 30, tzinfo=TOKYO))
    _attempt(quiz, c, number=2, status="in_progress")  # not submitted: not counted

    d = _enroll(course, cohort, "え", last_activity_at=at(1))
    _lessons(d, lessons, at(9, 0, 30))

    e = _enroll(course, cohort, "お")

    f = _enroll(course, cohort, "か", status="withdrawn")
    _lessons(f, lessons, at(4))

    g = _enroll(course, other, "き")
    _lessons(g, lessons, at(10))
    return {
        "course": course,
        "cohort": cohort,
        "other": other,
        **{"a": a, "b": b, "c": c, "d": d, "e": e},
    }


def test_the_funnel_counts_each_stage_by_hand(world):
    board = selectors.cohort_dashboard(cohort=world["cohort"], today=TODAY)
    assert board.enrolled == 5
    assert board.withdrawn == 1
    assert [(s.key, s.count, s.percent) for s in board.funnel] == [
        ("enrolled", 5, 100),
        ("started", 4, 80),
        ("half_lessons", 3, 60),
        ("all_lessons", 2, 40),
        ("quizzes", 2, 40),
        ("fieldwork", 1, 20),
        ("certified", 1, 20),
    ]


def test_weekly_activity_is_bucketed_by_iso_week_in_local_time(world):
    board = selectors.cohort_dashboard(cohort=world["cohort"], today=TODAY)
    assert [(w.iso, w.start, w.lessons, w.quizzes, w.fieldwork) for w in board.weeks] == [
        ("2026-W45", datetime.date(2026, 11, 2), 6, 0, 0),
        ("2026-W46", datetime.date(2026, 11, 9), 3, 1, 0),
        ("2026-W47", datetime.date(2026, 11, 16), 0, 0, 1),
        ("2026-W48", datetime.date(2026, 11, 23), 2, 1, 0),
    ]


def test_trainees_at_risk_with_their_reasons(world):
    board = selectors.cohort_dashboard(cohort=world["cohort"], today=TODAY)
    rows = [
        (r.enrollment.pk, r.inactive_days, r.deadline, r.days_left, r.last_activity)
        for r in board.at_risk
    ]
    deadline = datetime.date(2026, 12, 1)
    assert rows == [
        (world["e"].pk, 24, deadline, 5, None),  # counted from the cohort's start
        (world["c"].pk, 18, deadline, 5, datetime.date(2026, 11, 8)),
        (world["d"].pk, 17, deadline, 5, datetime.date(2026, 11, 9)),
        (world["b"].pk, None, deadline, 5, datetime.date(2026, 11, 25)),
    ]
    with translation.override("en"):
        assert risk_reasons(board.at_risk[1]) == [
            "No activity for 18 days.",
            "Deadline Dec. 1, 2026 in 5 days; missing: lessons 2 of 4, quizzes passed 0 of 1, "
            "3 more fieldwork hours.",
        ]
        assert risk_reasons(board.at_risk[3]) == [
            "Deadline Dec. 1, 2026 in 5 days; missing: 3 more fieldwork hours."
        ]


def test_fourteen_days_is_the_threshold_and_the_deadline_window_is_seven_days(world):
    board = selectors.cohort_dashboard(cohort=world["cohort"], today=datetime.date(2026, 11, 22))
    rows = [(r.enrollment.pk, r.inactive_days, r.deadline) for r in board.at_risk]
    # E: 20 days since the start; C: 14 days (flagged); D: 13 days (not); B: active.
    # The cohort ends in 9 days: no deadline reason yet.
    assert rows == [(world["e"].pk, 20, None), (world["c"].pk, 14, None)]
    assert [w.iso for w in board.weeks] == ["2026-W45", "2026-W46", "2026-W47"]


def test_before_the_cohort_starts_nobody_is_inactive_and_no_week_is_shown(world):
    board = selectors.cohort_dashboard(cohort=world["cohort"], today=datetime.date(2026, 11, 1))
    assert board.weeks == []
    assert board.at_risk == []


def test_the_whole_course_covers_every_cohort_and_the_last_twelve_weeks(world):
    board = selectors.course_dashboard(course=world["course"], today=TODAY)
    assert board.cohort is None
    assert board.enrolled == 6  # G's cohort too
    assert board.funnel[1].count == 5
    assert len(board.weeks) == 12
    assert board.weeks[-1].start == datetime.date(2026, 11, 23)
    assert board.weeks[0].start == datetime.date(2026, 9, 7)
    w46 = next(w for w in board.weeks if w.iso == "2026-W46")
    assert w46.lessons == 4  # G's lesson on 10 November counts here
    assert board.weeks[7].iso == "2026-W44"
    assert board.weeks[7].quizzes == 1  # C's failed attempt on 30 October


def test_an_empty_cohort_has_zero_everywhere(world):
    empty = make_cohort(
        world["course"],
        name="第3期",
        starts_on=datetime.date(2026, 11, 16),
        ends_on=datetime.date(2026, 12, 20),
    )
    board = selectors.cohort_dashboard(cohort=empty, today=TODAY)
    assert board.enrolled == 0
    assert [s.percent for s in board.funnel] == [0] * 7
    assert [(w.lessons, w.quizzes, w.fieldwork) for w in board.weeks] == [(0, 0, 0)] * 2
    assert board.at_risk == []


def test_on_the_last_day_the_deadline_is_today_and_after_it_no_longer_near(world):
    last_day = selectors.cohort_dashboard(cohort=world["cohort"], today=datetime.date(2026, 12, 1))
    b = next(r for r in last_day.at_risk if r.enrollment.pk == world["b"].pk)
    assert (b.deadline, b.days_left) == (datetime.date(2026, 12, 1), 0)
    with translation.override("en"):
        assert risk_reasons(b) == [
            "Deadline Dec. 1, 2026 is today; missing: 3 more fieldwork hours.",
        ]
    after = selectors.cohort_dashboard(cohort=world["cohort"], today=datetime.date(2026, 12, 2))
    assert all(r.deadline is None for r in after.at_risk)
    assert world["b"].pk not in [r.enrollment.pk for r in after.at_risk]  # active on 25 Nov
    assert after.weeks[-1].start == datetime.date(2026, 11, 30)  # the run ends on 1 Dec

"""The statistics page and its CSV, the attempts listing and its export, query budgets."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.assessments.statistics import quiz_attempt_rows, quiz_statistics
from lms.courses import services as course_services
from lms.courses.models import CourseInstructor
from tests.assessments.test_admin_grading import make_quiz, page, short_block, single_block, take
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="taught", title="空き家活用講座")


@pytest.fixture
def instructor(course):
    user = InstructorFactory()
    CourseInstructor(page=course, user=user).save()
    return user


def trainee_in(course, **names):
    user = TraineeFactory(**names)
    course_services.enrollment_create(user=user, course=course)
    return user


@pytest.fixture
def quiz(course):
    return make_quiz(course, single_block(), short_block())


@pytest.fixture
def attempts(course, quiz):
    """Four graded attempts (2 points each question, pass mark 60 %).

    A: c1 ✓, 総務省 ✓ → 100 %;  B: c1 ✓, wrong → 50 %;  C: c2, wrong → 0 %;  D: c3, ✓ → 50 %.
    """
    plan = [
        ("c1", "総務省"),
        ("c1", "内閣府"),
        ("c2", ""),
        ("c3", "総務省"),
    ]
    made = []
    for index, (choice, text) in enumerate(plan):
        trainee = trainee_in(course, last_name=f"受講者{index}")
        responses = {"q-single": {"choice": choice}}
        if text:
            responses["q-short"] = {"text": text}
        made.append(take(quiz, trainee, responses))
    return made


def test_statistics_by_hand(quiz, attempts):
    stats = quiz_statistics(quiz)
    assert stats.summary.attempts == 4
    assert stats.summary.average == Decimal("50.00")
    assert stats.summary.pass_rate == Decimal("25.00")
    single, short = stats.questions
    assert (single.question.id, short.question.id) == ("q-single", "q-short")
    assert single.facility == Decimal("0.50") and short.facility == Decimal("0.50")
    # single x = 2,2,0,0 against the rest (the short answer) 100,0,0,100 %: r = 0
    assert single.discrimination == Decimal("0.00")
    # Choices in the authored order, whatever the order each trainee saw them in.
    assert [(f.choice.text, f.count, f.share) for f in single.choices] == [
        ("富士山", 2, Decimal("50.00")),
        ("北岳", 1, Decimal("25.00")),
        ("奥穂高岳", 1, Decimal("25.00")),
    ]


def test_the_statistics_page_shows_the_figures(client, instructor, quiz, attempts):
    client.force_login(instructor)
    response = client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/")
    assert response.status_code == 200
    text = page(response)
    assert "50.00%" in text  # average
    assert "25.00%（1 / 4）" in text  # pass rate
    assert "日本で一番高い山は？" in text
    assert "奥穂高岳" in text
    assert f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics.csv" in text


def test_the_statistics_csv(client, instructor, quiz, attempts):
    client.force_login(instructor)
    response = client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][1] == "確認テスト"
    assert rows[2][1] == "4"
    assert rows[4][1] == "50.00"
    header_index = next(i for i, row in enumerate(rows) if len(row) == 12)
    question_rows = [row for row in rows[header_index + 1 :] if row[3]]
    assert [row[1] for row in question_rows] == [
        "日本で一番高い山は？",
        "地域おこし協力隊を所管する省は？",
    ]
    assert question_rows[0][6] == "0.50" and question_rows[0][7] == "0.00"
    # The type as the quiz editor names it, not the snapshot's key.
    assert question_rows[0][2] and question_rows[0][2] != "single"
    choice_rows = [row for row in rows[header_index + 1 :] if row[8]]
    assert [(row[8], row[10], row[11]) for row in choice_rows] == [
        ("富士山", "2", "50.00"),
        ("北岳", "1", "25.00"),
        ("奥穂高岳", "1", "25.00"),
    ]


def test_first_attempts_only(client, instructor, course, quiz, attempts):
    """The trainee of attempt C takes the quiz again and gets everything right."""
    retake = take(
        quiz, attempts[2].user, {"q-single": {"choice": "c1"}, "q-short": {"text": "総務省"}}
    )
    assert retake.number == 2
    assert quiz_statistics(quiz).summary.attempts == 5
    first = quiz_statistics(quiz, first_only=True)
    assert first.summary.attempts == 4
    assert first.summary.average == Decimal("50.00")
    client.force_login(instructor)
    text = page(client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/?attempts=first"))
    assert "25.00%（1 / 4）" in text
    assert "40.00%（2 / 5）" in page(client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/"))
    response = client.get(f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics.csv?attempts=first")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[2][1] == "4"


def _count_queries(callable_):
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_loading_the_rows_takes_two_queries_whatever_the_number_of_attempts(course, quiz):
    for size in (3, 12):
        for _ in range(size - quiz.attempts.count()):
            take(quiz, trainee_in(course), {"q-single": {"choice": "c1"}})
        quiz.refresh_from_db()
        assert _count_queries(lambda: quiz_attempt_rows(quiz)) == 2
        assert len(quiz_attempt_rows(quiz)[0]) == size


# The session, the user and the admin's furniture, the quiz, the graded attempts and their
# answers (two), and the count of attempts waiting for grading.
STATISTICS_PAGE_QUERIES = 14


def test_the_statistics_page_costs_the_same_at_3_and_12_attempts(
    client, instructor, course, quiz, django_assert_num_queries
):
    client.force_login(instructor)
    url = f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/"
    client.get(url)  # warm the session and the user's caches
    counts = []
    for size in (3, 12):
        for _ in range(size - quiz.attempts.count()):
            take(quiz, trainee_in(course), {"q-single": {"choice": "c2"}})
        counts.append(_count_queries(lambda: client.get(url)))
    assert counts == [STATISTICS_PAGE_QUERIES] * 2
    with django_assert_num_queries(STATISTICS_PAGE_QUERIES):
        assert client.get(url).status_code == 200


def test_the_attempts_listing_filters_by_quiz_and_exports(
    client, instructor, course, quiz, attempts
):
    other_quiz = make_quiz(course, single_block(), title="第2回確認テスト")
    theirs = take(other_quiz, trainee_in(course, last_name="別人"), {"q-single": {"choice": "c1"}})
    client.force_login(instructor)
    response = client.get("/admin/quiz-attempts/", {"quiz": quiz.pk})
    assert response.status_code == 200
    text = page(response)
    for attempt in attempts:
        assert f"/admin/quiz-attempts/{attempt.pk}/" in text
    assert f"/admin/quiz-attempts/{theirs.pk}/" not in text
    export = client.get("/admin/quiz-attempts/", {"quiz": quiz.pk, "export": "csv"})
    assert export.status_code == 200
    content = b"".join(export.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert len(rows) == 1 + len(attempts)
    percentages = sorted(row[9] for row in rows[1:])
    assert percentages == ["0.00", "100.00", "50.00", "50.00"]
    assert {row[2] for row in rows[1:]} == {"確認テスト"}


def test_the_quiz_listing_links_to_statistics_attempts_and_regrade(client, instructor, quiz):
    client.force_login(instructor)
    text = page(client.get("/admin/snippets/assessments/quiz/"))
    assert f"/admin/quiz-attempts/quiz/{quiz.pk}/statistics/" in text
    assert f"/admin/quiz-attempts/?quiz={quiz.pk}" in text
    assert f"/admin/quiz-attempts/quiz/{quiz.pk}/regrade/" in text


def test_the_grading_queue_and_the_attempts_listing_cost_the_same_at_2_and_8_attempts(
    client, instructor, course
):
    from tests.assessments.test_admin_grading import essay_block

    essay_quiz = make_quiz(course, single_block(), essay_block(), title="記述つき")
    client.force_login(instructor)
    urls = ["/admin/quiz-attempts/grading/", f"/admin/quiz-attempts/?quiz={essay_quiz.pk}"]
    for url in urls:
        client.get(url)
    counts = {url: [] for url in urls}
    for size in (2, 8):
        for _ in range(size - essay_quiz.attempts.count()):
            take(essay_quiz, trainee_in(course), {"q-essay": {"text": "回答"}})
        for url in urls:
            response = None

            def fetch(url=url):
                nonlocal response
                response = client.get(url)

            counts[url].append(_count_queries(fetch))
            assert response.status_code == 200
            assert page(response).count("/admin/quiz-attempts/") >= size
    assert counts == {
        "/admin/quiz-attempts/grading/": [GRADING_QUEUE_QUERIES] * 2,
        f"/admin/quiz-attempts/?quiz={essay_quiz.pk}": [ATTEMPTS_LISTING_QUERIES] * 2,
    }


def test_the_attempt_page_costs_the_same_with_2_and_12_questions(client, instructor, course):
    from tests.assessments.test_admin_grading import essay_block

    client.force_login(instructor)
    counts = []
    for size in (2, 12):
        blocks = [single_block(qid=f"q-single-{n}") for n in range(size - 1)]
        quiz = make_quiz(course, *blocks, essay_block(), title=f"{size}問")
        responses = {f"q-single-{n}": {"choice": "c1"} for n in range(size - 1)}
        attempt = take(quiz, trainee_in(course), {**responses, "q-essay": {"text": "回答"}})
        url = f"/admin/quiz-attempts/{attempt.pk}/"
        client.get(url)
        counts.append(_count_queries(lambda url=url: client.get(url)))
    assert counts == [ATTEMPT_PAGE_QUERIES] * 2


# Session, user and the admin's furniture, then the view's own queries: the queue's rows
# (one query with the count of answers to grade) and its quiz filter; the listing's count
# and rows with their trainee and quiz; the attempt, its answers and its score history.
GRADING_QUEUE_QUERIES = 13
ATTEMPTS_LISTING_QUERIES = 14
ATTEMPT_PAGE_QUERIES = 13

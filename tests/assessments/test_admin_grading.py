"""The grading queue, the attempt page (manual grades, overrides, history) and the audit log."""

import html
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from lms.assessments import services
from lms.assessments.models import Answer, Attempt, Quiz, ScoreChange
from lms.courses import services as course_services
from lms.courses.models import CourseInstructor, CourseLogEntry, LessonProgress
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db
Status = Attempt.Status
QUEUE = "/admin/quiz-attempts/grading/"


def ja(message):
    with translation.override("ja"):
        return gettext(message)


def page(response):
    return html.unescape(response.content.decode())


def _choices(*specs):
    return [
        {"type": "item", "id": cid, "value": {"text": text, "correct": ok, "feedback": ""}}
        for cid, text, ok in specs
    ]


def _base(text, points):
    return {"text": text, "points": points, "category": None, "feedback": "", "explanation": ""}


def single_block(qid="q-single", points="2", correct="c1"):
    return {
        "type": "single",
        "id": qid,
        "value": {
            **_base("<p>日本で一番高い山は？</p>", points),
            "choices": _choices(
                ("c1", "富士山", correct == "c1"),
                ("c2", "北岳", correct == "c2"),
                ("c3", "奥穂高岳", correct == "c3"),
            ),
        },
    }


def essay_block(qid="q-essay", points="8"):
    return {
        "type": "essay",
        "id": qid,
        "value": {
            **_base("<p>地域の課題を一つ挙げてください。</p>", points),
            "rubric": "<p>具体性 4点、実現性 4点</p>",
        },
    }


def short_block(qid="q-short", points="2"):
    return {
        "type": "short_answer",
        "id": qid,
        "value": {
            **_base("<p>地域おこし協力隊を所管する省は？</p>", points),
            "accepted_answers": [{"type": "item", "id": "a1", "value": "総務省"}],
            "kana_insensitive": False,
        },
    }


def make_quiz(course, *blocks, title="確認テスト", **fields):
    return Quiz.objects.create(
        title=title, course=course, questions=list(blocks) or [single_block()], **fields
    )


def take(quiz, trainee, responses):
    """Start, answer (``{question_id: response}``) and submit an attempt."""
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    by_question = {a.question_id: a.position for a in attempt.answers.all()}
    saved = {by_question[qid]: response for qid, response in responses.items()}
    if saved:
        attempt = services.answers_save(attempt=attempt, responses=saved, version=attempt.version)
    return services.attempt_submit(attempt=attempt)


@pytest.fixture
def courses(site_tree):
    taught = course_tree(site_tree, slug="taught", title="空き家活用講座")
    other = course_tree(site_tree, slug="other", title="共生サロン講座")
    return taught, other


@pytest.fixture
def instructor(courses):
    user = InstructorFactory(last_name="講師", first_name="一郎")
    CourseInstructor(page=courses[0], user=user).save()
    return user


@pytest.fixture
def other_instructor(courses):
    user = InstructorFactory(last_name="別所", first_name="二郎")
    CourseInstructor(page=courses[1], user=user).save()
    return user


@pytest.fixture
def trainee(courses):
    user = TraineeFactory(last_name="髙橋", first_name="𠮷子")
    course_services.enrollment_create(user=user, course=courses[0])
    return user


@pytest.fixture
def quiz(courses):
    return make_quiz(courses[0], single_block(), essay_block())


@pytest.fixture
def submitted(quiz, trainee):
    """An attempt with a right single choice and an essay waiting for a grade."""
    essay = "空き家を<script>alert(1)</script>交流拠点にする。\n二行目。"
    attempt = take(quiz, trainee, {"q-single": {"choice": "c1"}, "q-essay": {"text": essay}})
    assert attempt.status == Status.SUBMITTED
    return attempt


def essay_answer(attempt):
    return Answer.objects.get(attempt=attempt, question_id="q-essay")


# --- The queue ---------------------------------------------------------------------------------
def test_the_queue_lists_submitted_attempts_of_the_instructors_courses(
    client, instructor, submitted
):
    client.force_login(instructor)
    response = client.get(QUEUE)
    assert response.status_code == 200
    text = page(response)
    assert "髙橋 𠮷子" in text or "髙橋𠮷子" in text
    assert f'href="/admin/quiz-attempts/{submitted.pk}/"' in text
    assert "確認テスト" in text and "空き家活用講座" in text


def test_the_queue_of_another_courses_instructor_is_empty(client, other_instructor, submitted):
    client.force_login(other_instructor)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert f"/admin/quiz-attempts/{submitted.pk}/" not in page(response)


def test_a_graded_attempt_leaves_the_queue(client, instructor, submitted):
    services.answer_grade_manually(answer=essay_answer(submitted), actor=instructor, score=5)
    client.force_login(instructor)
    assert f"/admin/quiz-attempts/{submitted.pk}/" not in page(client.get(QUEUE))


def test_the_menu_shows_the_queue_to_instructors_only(client, instructor, trainee):
    client.force_login(instructor)
    assert QUEUE in page(client.get("/admin/"))


def test_the_queue_filters_by_quiz(client, instructor, submitted, courses, trainee):
    other_quiz = make_quiz(courses[0], essay_block(), title="第2回確認テスト")
    second = take(other_quiz, trainee, {"q-essay": {"text": "回答"}})
    client.force_login(instructor)
    text = page(client.get(QUEUE, {"quiz": other_quiz.pk}))
    assert f"/admin/quiz-attempts/{second.pk}/" in text
    assert f"/admin/quiz-attempts/{submitted.pk}/" not in text


# --- The attempt page --------------------------------------------------------------------------
def test_the_attempt_page_shows_the_essay_escaped_with_the_rubric(client, instructor, submitted):
    client.force_login(instructor)
    response = client.get(f"/admin/quiz-attempts/{submitted.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<br>二行目。" in body
    assert "具体性 4点、実現性 4点" in body
    assert 'name="action" value="grade"' in body
    assert f'name="grade-{essay_answer(submitted).pk}-score"' in body


def test_grading_the_essay_grades_the_attempt_and_records_it(client, instructor, submitted):
    answer = essay_answer(submitted)
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{submitted.pk}/",
        {
            "action": "grade",
            "answer": answer.pk,
            f"grade-{answer.pk}-score": "6.5",
            f"grade-{answer.pk}-comment": "具体的でよい。",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/quiz-attempts/{submitted.pk}/#answer-{answer.pk}")
    answer.refresh_from_db()
    submitted.refresh_from_db()
    assert (answer.score, answer.comment, answer.graded_by) == (
        Decimal("6.5"),
        "具体的でよい。",
        instructor,
    )
    assert submitted.status == Status.GRADED
    assert submitted.score == Decimal("8.50")  # 2 + 6.5 of 10
    assert submitted.percentage == Decimal("85.00")
    assert submitted.passed is True
    change = ScoreChange.objects.get(attempt=submitted)
    assert (change.kind, change.old_score, change.new_score, change.actor) == (
        ScoreChange.Kind.MANUAL_GRADE,
        None,
        Decimal("6.50"),
        instructor,
    )
    entry = CourseLogEntry.objects.get(action="assessments.manual_grade")
    assert entry.user == instructor and entry.object_id == str(submitted.pk)
    # The page now shows the grade, the grader and the history.
    text = page(client.get(f"/admin/quiz-attempts/{submitted.pk}/"))
    assert "具体的でよい。" in text
    assert "85.00%" in text


def test_a_score_above_the_points_is_refused_and_nothing_changes(client, instructor, submitted):
    answer = essay_answer(submitted)
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{submitted.pk}/",
        {"action": "grade", "answer": answer.pk, f"grade-{answer.pk}-score": "9"},
    )
    assert response.status_code == 400
    assert "8" in page(response)
    answer.refresh_from_db()
    assert answer.score is None and answer.needs_manual
    assert not ScoreChange.objects.exists()


def test_another_courses_instructor_cannot_see_or_grade(client, other_instructor, submitted):
    answer = essay_answer(submitted)
    client.force_login(other_instructor)
    assert client.get(f"/admin/quiz-attempts/{submitted.pk}/").status_code == 404
    response = client.post(
        f"/admin/quiz-attempts/{submitted.pk}/",
        {"action": "grade", "answer": answer.pk, f"grade-{answer.pk}-score": "8"},
    )
    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.score is None


def test_an_answer_of_another_attempt_is_a_404(client, instructor, submitted, quiz):
    stranger = TraineeFactory()
    course_services.enrollment_create(user=stranger, course=quiz.course)
    theirs = take(quiz, stranger, {"q-essay": {"text": "別の回答"}})
    their_answer = essay_answer(theirs)
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{submitted.pk}/",
        {"action": "grade", "answer": their_answer.pk, f"grade-{their_answer.pk}-score": "1"},
    )
    assert response.status_code == 404
    their_answer.refresh_from_db()
    assert their_answer.score is None


# --- Overrides and history ---------------------------------------------------------------------
@pytest.fixture
def graded(submitted, instructor):
    services.answer_grade_manually(
        answer=essay_answer(submitted), actor=instructor, score=4, comment="もう少し具体的に。"
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.GRADED
    return submitted


def test_overriding_an_answer_keeps_the_original_visible(client, instructor, graded):
    single = Answer.objects.get(attempt=graded, question_id="q-single")
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{graded.pk}/",
        {
            "action": "override_answer",
            "answer": single.pk,
            f"override-{single.pk}-score": "1",
            f"override-{single.pk}-reason": "設問の表現が曖昧だったため",
        },
    )
    assert response.status_code == 302
    single.refresh_from_db()
    graded.refresh_from_db()
    assert (single.auto_score, single.score) == (Decimal("2.00"), Decimal("1.00"))
    assert graded.score == Decimal("5.00")
    change = ScoreChange.objects.filter(kind=ScoreChange.Kind.OVERRIDE).get()
    assert (change.old_score, change.new_score, change.reason) == (
        Decimal("2.00"),
        Decimal("1.00"),
        "設問の表現が曖昧だったため",
    )
    text = page(client.get(f"/admin/quiz-attempts/{graded.pk}/"))
    history = text[text.index('id="history"') :]
    # Both changes, oldest first: the manual grade, then the override with its reason.
    assert history.index("もう少し具体的に。") < history.index("設問の表現が曖昧だったため")
    assert "2.00" in history and "1.00" in history
    assert "講師 一郎" in history or "講師一郎" in history


def test_an_override_needs_a_reason(client, instructor, graded):
    single = Answer.objects.get(attempt=graded, question_id="q-single")
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{graded.pk}/",
        {"action": "override_answer", "answer": single.pk, f"override-{single.pk}-score": "0"},
    )
    assert response.status_code == 400
    single.refresh_from_db()
    assert single.score == Decimal("2.00")
    assert not ScoreChange.objects.filter(kind=ScoreChange.Kind.OVERRIDE).exists()


def test_overriding_the_attempt_sets_pass_or_fail_and_is_logged(client, instructor, graded):
    assert graded.passed is True  # 6 of 10 with a pass mark of 60
    client.force_login(instructor)
    response = client.post(
        f"/admin/quiz-attempts/{graded.pk}/",
        {
            "action": "override_attempt",
            "attempt-override-percentage": "40",
            "attempt-override-reason": "不正行為が確認されたため",
        },
    )
    assert response.status_code == 302
    graded.refresh_from_db()
    assert (graded.score, graded.percentage, graded.passed, graded.overridden) == (
        Decimal("4.00"),
        Decimal("40.00"),
        False,
        True,
    )
    change = ScoreChange.objects.get(kind=ScoreChange.Kind.OVERRIDE, answer=None)
    assert (change.old_score, change.new_score) == (Decimal("6.00"), Decimal("4.00"))
    assert CourseLogEntry.objects.filter(action="assessments.override", object_id=str(graded.pk))


def test_the_audit_log_reports_show_grading_actions(client, instructor, graded):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/reports/site-history/")
    assert response.status_code == 200
    text = page(response)
    assert "問2を採点しました：4.00点" in text, text[:200]
    # The attempt's own history lists the grade too.
    history = page(client.get(f"/admin/quiz-attempts/history/{graded.pk}/"))
    assert "問2を採点しました：4.00点" in history


def test_passing_a_lesson_quiz_by_manual_grade_completes_the_lesson(
    client, instructor, courses, trainee
):
    lesson = lessons_of(courses[0])[0]
    quiz = make_quiz(courses[0], essay_block(), title="レッスン1の確認", lesson=lesson)
    attempt = take(quiz, trainee, {"q-essay": {"text": "回答です"}})
    answer = essay_answer(attempt)
    client.force_login(instructor)
    client.post(
        f"/admin/quiz-attempts/{attempt.pk}/",
        {"action": "grade", "answer": answer.pk, f"grade-{answer.pk}-score": "8"},
    )
    assert LessonProgress.objects.filter(lesson=lesson, enrollment__user=trainee).exists()


def test_the_dashboard_shows_the_attempts_waiting_for_a_grade(client, instructor, submitted):
    client.force_login(instructor)
    text = page(client.get("/admin/"))
    assert "Quizzes waiting for your grade" in text or "採点待ちの確認テスト" in text
    assert f"/admin/quiz-attempts/{submitted.pk}/" in text


def test_the_dashboard_of_another_courses_instructor_has_no_grading_panel(
    client, other_instructor, submitted
):
    client.force_login(other_instructor)
    assert f"/admin/quiz-attempts/{submitted.pk}/" not in page(client.get("/admin/"))


def test_a_malformed_answer_id_is_a_404(client, instructor, submitted):
    client.force_login(instructor)
    for value in ("", "abc", "1; DROP TABLE"):
        response = client.post(
            f"/admin/quiz-attempts/{submitted.pk}/", {"action": "grade", "answer": value}
        )
        assert response.status_code == 404

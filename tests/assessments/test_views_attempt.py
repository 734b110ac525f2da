"""The trainee's pages: start, attempt (both layouts), saving by form and fetch, finish, result."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from lms.assessments import services
from lms.assessments.models import Answer, Attempt
from tests.factories import assessments as qf
from tests.factories.courses import course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="quizzes", lessons=2)


def _version(html):
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def test_start_page_shows_the_rules_and_starts_an_attempt(client, course):
    quiz = qf.make_quiz(
        course, questions=qf.every_type(), max_attempts=2, time_limit_minutes=20, pass_mark=70
    )
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    html = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert "70%" in html and "20 minutes" in html and "At most 2 attempts" in html
    assert "2 left" in html and "7 questions" in html
    assert "Start the quiz" in html
    response = client.post(f"/en/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=trainee)
    assert response.url == f"/en/quizzes/attempts/{attempt.pk}/"
    # The start button now resumes the same attempt.
    assert "Resume the quiz" in client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    client.post(f"/en/quizzes/{quiz.pk}/start/")
    assert Attempt.objects.filter(user=trainee).count() == 1


def test_not_enrolled_cannot_start(client, course):
    from tests.factories.accounts import TraineeFactory

    quiz = qf.make_quiz(course)
    client.force_login(TraineeFactory())
    html = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert "Enroll in the course to take this quiz." in html
    response = client.post(f"/en/quizzes/{quiz.pk}/start/", follow=True)
    assert "Enroll in the course to take this quiz." in response.content.decode()
    assert not Attempt.objects.exists()


def test_one_per_page_take_save_navigate_finish_and_review(client, course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.multiple("q2"), qf.ordering("q3")])
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    client.post(f"/en/quizzes/{quiz.pk}/start/")
    attempt = Attempt.objects.get(user=trainee)
    url = f"/en/quizzes/attempts/{attempt.pk}/"

    html = client.get(url).content.decode()
    assert "Question 1 of 3" in html and 'name="q1-choice"' in html and "q2-choices" not in html
    response = client.post(
        url,
        {
            "version": _version(html),
            "positions": "1",
            "page": "1",
            "q1-choice": "q1-1",
            "action": "next",
        },
    )
    assert response.url == f"{url}?page=2"
    html = client.get(response.url).content.decode()
    assert 'name="q2-choices"' in html
    response = client.post(
        url,
        {
            "version": _version(html),
            "positions": "2",
            "page": "2",
            "q2-choices": ["q2-1", "q2-2", "q2-4"],
            "action": "next",
        },
    )
    html = client.get(response.url).content.decode()
    # Ordering by keyboard without script: the "Down" button of the first item is a submit.
    display = Answer.objects.get(attempt=attempt, position=3).question["display_order"]
    first = display[0]
    response = client.post(
        url,
        {
            "version": _version(html),
            "positions": "3",
            "page": "3",
            "q3-order": display,
            "move": f"3:{first}:down",
        },
    )
    assert response.url == f"{url}?page=3#question-3"
    moved = Answer.objects.get(attempt=attempt, position=3).response["order"]
    assert moved == [display[1], display[0], *display[2:]]
    html = client.get(f"{url}?page=3").content.decode()
    assert html.index(f'value="{display[1]}"') < html.index(f'value="{display[0]}"')

    response = client.post(
        url,
        {
            "version": _version(html),
            "positions": "3",
            "page": "3",
            "q3-order": ["q3-i1", "q3-i2", "q3-i3", "q3-i4"],
            "action": "finish",
        },
    )
    assert response.url == f"{url}finish/"
    html = client.get(response.url).content.decode()
    assert "All questions are answered." in html
    response = client.post(f"{url}finish/")
    assert response.url == f"{url}result/"
    html = client.get(response.url).content.decode()
    assert "5 of 5 points (100%)" in html and "Passed" in html
    assert "Correct answer" in html and "その通り、まず聞くことから。" in html


def test_all_on_one_page_and_the_unanswered_list(client, course):
    quiz = qf.make_quiz(
        course,
        questions=[qf.single("q1"), qf.short_answer("q2"), qf.numeric("q3")],
        layout="all_on_one_page",
    )
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    url = f"/en/quizzes/attempts/{attempt.pk}/"
    html = client.get(url).content.decode()
    assert all(f'name="q{n}-' in html for n in (1, 2, 3))
    response = client.post(
        url,
        {
            "version": _version(html),
            "positions": ["1", "2", "3"],
            "q1-choice": "",
            "q2-text": "　空き家ﾊﾞﾝｸ ",
            "q3-value": "",
            "action": "finish",
        },
    )
    html = client.get(response.url).content.decode()
    assert "2 questions are not answered" in html
    assert "#question-1" in html and "#question-3" in html and "#question-2" not in html
    client.post(f"{url}finish/")
    attempt.refresh_from_db()
    assert attempt.score == 1 and attempt.status == "graded"


def test_fetch_save_returns_the_new_version_and_refuses_a_stale_one(client, course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.single("q2")])
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    save = f"/en/quizzes/attempts/{attempt.pk}/save/"
    response = client.post(save, {"version": "1", "positions": "1", "q1-choice": "q1-2"})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    response = client.post(save, {"version": "1", "positions": "2", "q2-choice": "q2-1"})
    assert response.status_code == 409
    assert response.json()["stale"] is True
    assert "out of date" in response.json()["error"]
    assert Answer.objects.get(attempt=attempt, position=2).response == {}
    # The plain form from an old page is refused too, and the latest answers are shown.
    response = client.post(
        f"/en/quizzes/attempts/{attempt.pk}/",
        {"version": "1", "positions": "1", "q1-choice": "q1-3"},
        follow=True,
    )
    assert "out of date" in response.content.decode()
    assert Answer.objects.get(attempt=attempt, position=1).response == {"choice": "q1-2"}


def test_finishing_twice_and_replaying_gives_one_result(client, course):
    quiz = qf.make_quiz(course)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    finish = f"/en/quizzes/attempts/{attempt.pk}/finish/"
    first = client.post(finish)
    attempt.refresh_from_db()
    submitted_at = attempt.submitted_at
    second = client.post(finish)
    assert first.url == second.url == f"/en/quizzes/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.submitted_at == submitted_at
    # Saving to a submitted attempt goes to the result with a message.
    response = client.post(
        f"/en/quizzes/attempts/{attempt.pk}/",
        {"version": "1", "positions": "1", "q1-choice": "q1-1"},
        follow=True,
    )
    assert "already been submitted" in response.content.decode()


def test_time_limit_on_the_pages(client, course):
    quiz = qf.make_quiz(course, time_limit_minutes=10)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    html = client.get(f"/en/quizzes/attempts/{attempt.pk}/").content.decode()
    assert 'role="timer"' in html and 'aria-live="polite"' in html
    assert re.search(r'data-remaining="(59\d|600)"', html)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - datetime.timedelta(minutes=2),
        grace_until=timezone.now() - datetime.timedelta(minutes=1, seconds=30),
    )
    response = client.post(
        f"/en/quizzes/attempts/{attempt.pk}/save/",
        {"version": "1", "positions": "1", "q1-choice": "q1-1"},
    )
    assert response.status_code == 409 and response.json()["closed"] is True
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.timed_out
    assert Answer.objects.get(attempt=attempt).response == {}


def test_review_policies(client, course):
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    question = qf.single("q1", explanation="説明文ですよ", feedback="全体の講評")
    for policy, shown in (("immediately", True), ("never", False), ("after_close", False)):
        quiz = qf.make_quiz(
            course,
            questions=[question],
            review_policy=policy,
            title=policy,
            closes_at=timezone.now() + datetime.timedelta(days=1),
        )
        attempt = services.attempt_start(quiz=quiz, user=trainee)
        services.answer_save(attempt=attempt, position=1, response={"choice": "q1-2"}, version=1)
        services.attempt_submit(attempt=attempt)
        html = client.get(f"/en/quizzes/attempts/{attempt.pk}/result/").content.decode()
        assert "0 of 1 points (0%)" in html
        assert ("説明文ですよ" in html) is shown
        assert ("予算は後からでも。" in html) is shown  # the picked choice's feedback
        assert ("全体の講評" in html) is shown
        if policy == "after_close":
            Attempt.objects.filter(pk=attempt.pk)
            quiz.closes_at = timezone.now() - datetime.timedelta(seconds=1)
            quiz.opens_at = None
            quiz.save()
            html = client.get(f"/en/quizzes/attempts/{attempt.pk}/result/").content.decode()
            assert "説明文ですよ" in html


def test_lesson_quiz_block_and_quiz_page_show_the_panel(client, course, site_tree):
    from lms.assessments.models import QuizPage

    lesson = lessons_of(course)[0]
    quiz = qf.make_quiz(course, lesson=lesson, title="第1回確認テスト")
    lesson.body = json.dumps([{"type": "quiz", "value": {"quiz": quiz.pk}}])
    lesson.save_revision().publish()
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    html = client.get(lesson.url).content.decode()
    assert "第1回確認テスト" in html and f'action="/quizzes/{quiz.pk}/start/"' in html
    module = lesson.get_parent()
    page = QuizPage(title="単元のまとめテスト", slug="module-quiz", quiz=quiz)
    module.add_child(instance=page)
    html = client.get(page.url).content.decode()
    assert "単元のまとめテスト" in html and f'action="/quizzes/{quiz.pk}/start/"' in html


def test_the_timer_running_out_saves_the_page_and_submits(client, course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.single("q2")], time_limit_minutes=5)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    # The deadline has just passed; the grace period is still running.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - datetime.timedelta(seconds=1),
        grace_until=timezone.now() + datetime.timedelta(seconds=29),
    )
    client.force_login(trainee)
    response = client.post(
        f"/en/quizzes/attempts/{attempt.pk}/",
        {"version": 1, "positions": "1", "page": "1", "q1-choice": "q1-1", "action": "timeup"},
    )
    assert response.url == f"/en/quizzes/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.score == 1
    html = client.get(response.url).content.decode()
    assert "1 of 2 points (50%)" in html


def test_start_page_history_and_attempts_left(client, course):
    quiz = qf.make_quiz(course, max_attempts=2, pass_mark=100)
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    for choice in ("q1-2", "q1-1"):
        attempt = services.attempt_start(quiz=quiz, user=trainee)
        services.answer_save(attempt=attempt, position=1, response={"choice": choice}, version=1)
        services.attempt_submit(attempt=attempt)
    html = client.get(f"/en/quizzes/{quiz.pk}/").content.decode()
    assert "Attempt 1" in html and "Attempt 2" in html
    assert "Not passed" in html and "100% · <strong>Passed</strong>" in html
    assert "0 left" in html and "You have used all your attempts at this quiz." in html
    assert "Start the quiz" not in html and "Try again" not in html


def test_coming_back_opens_the_first_unanswered_question(client, course):
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.single("q2"), qf.single("q3")])
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.answer_save(attempt=attempt, position=1, response={"choice": "q1-1"}, version=1)
    client.force_login(trainee)
    html = client.get(f"/en/quizzes/attempts/{attempt.pk}/").content.decode()
    assert "Question 2 of 3" in html and 'name="q2-choice"' in html


def test_a_number_that_cannot_be_read_is_kept_and_pointed_out(client, course):
    quiz = qf.make_quiz(course, questions=[qf.numeric("n1")])
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    url = f"/en/quizzes/attempts/{attempt.pk}/"
    client.post(url, {"version": 1, "positions": "1", "q1-value": "約350", "action": "save"})
    html = client.get(url).content.decode()
    assert 'value="約350"' in html and 'aria-invalid="true"' in html
    assert "“約350” cannot be read as a number" in html
    client.post(url, {"version": 2, "positions": "1", "q1-value": "３５０", "action": "save"})
    html = client.get(url).content.decode()
    assert 'value="３５０"' in html and "cannot be read as a number" not in html
    reply = client.post(f"{url}save/", {"version": 3, "positions": "1", "q1-value": "三百"})
    assert reply.json()["ok"] is True
    assert reply.json()["warning"].startswith("“三百” cannot be read as a number")


def test_the_course_page_lists_its_quiz_pages_with_the_trainees_result(client, course):
    from lms.assessments.models import QuizPage

    module = lessons_of(course)[0].get_parent()
    quiz = qf.make_quiz(course, title="まとめテスト")
    module.add_child(instance=QuizPage(title="単元のまとめテスト", slug="summary", quiz=quiz))
    trainee = qf.enrolled_trainee(course)
    client.force_login(trainee)
    html = client.get(course.url).content.decode()
    assert 'href="/courses/quizzes/module-1/summary/"' in html
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.answer_save(attempt=attempt, position=1, response={"choice": "q1-1"}, version=1)
    services.attempt_submit(attempt=attempt)
    html = client.get(course.url).content.decode()
    assert "単元のまとめテスト" in html and "badge text-bg-success" in html


def test_the_review_of_an_unanswered_ordering_question_shows_no_order(client, course):
    quiz = qf.make_quiz(course, questions=[qf.ordering("o1")])
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_submit(attempt=services.attempt_start(quiz=quiz, user=trainee))
    client.force_login(trainee)
    html = client.get(f"/en/quizzes/attempts/{attempt.pk}/result/").content.decode()
    yours = html[html.index("Your order") : html.index("Correct order")]
    assert "(no answer)" in yours and "<li>" not in yours

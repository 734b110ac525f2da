"""A trainee takes a quiz: start, answer (one question per page), lose the connection,
reload and resume, reorder by keyboard, submit, and read the review; on a desktop and a phone.

axe-core checks the start page, the attempt, the confirmation and the result; on the
phone (where the quiz is started from its lesson's quiz block) nothing may scroll sideways.
And with JavaScript off, the plain forms do everything.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from lms.assessments.models import Answer, Attempt
from lms.courses.models import CoursePage, Enrollment
from tests.factories import assessments as qf
from tests.factories.accounts import TraineeFactory

from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_setup(seeded):
    course = CoursePage.objects.get(slug="regional-producer-basics", locale=Locale.get_default())
    lesson = course.lessons().first()
    quiz = qf.make_quiz(
        course,
        title="ブラウザ確認テスト",
        lesson=lesson,
        time_limit_minutes=30,
        questions=[
            qf.single("q1", explanation="まず聞くことが出発点です。"),
            qf.multiple("q2"),
            qf.ordering("q3", items=("調査", "企画", "実行")),
            qf.short_answer("q4"),
        ],
    )
    trainee = TraineeFactory()
    Enrollment.objects.create(user=trainee, course=course, status=Enrollment.Status.ACTIVE)
    return quiz, trainee


def check(page: Page, *, phone: bool = False) -> None:
    if phone:
        assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def saved(page: Page) -> None:
    expect(page.locator("[data-quiz-status]")).to_contain_text("Saved")


def test_take_a_quiz_lose_the_connection_resume_submit_and_review(page: Page, quiz_setup):
    quiz, trainee = quiz_setup
    log_in(page, trainee.email, prefix="/en")
    page.goto(f"/en/quizzes/{quiz.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ブラウザ確認テスト")
    expect(page.locator(".quiz-rules")).to_contain_text("30 minutes")
    check(page)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/en/quizzes/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=trainee)
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))
    check(page)

    # Question 1: saved as soon as it is chosen.
    page.get_by_label("住民に話を聞く").check()
    saved(page)
    assert Answer.objects.get(attempt=attempt, position=1).response == {"choice": "q1-1"}
    # The connection drops: the change stays on the page and is saved by "Next" later.
    page.context.set_offline(True)
    page.get_by_label("予算を確保する").check()
    expect(page.locator("[data-quiz-status]")).to_contain_text("Could not save")
    page.context.set_offline(False)
    page.get_by_label("住民に話を聞く").check()
    saved(page)
    page.get_by_role("button", name=re.compile("Next question")).click()
    page.wait_for_url(re.compile(r"\?page=2$"))

    # Question 2, then a reload in the middle: the answers are still there.
    page.get_by_label("空き家").check()
    saved(page)
    page.get_by_label("棚田").check()
    saved(page)
    page.reload()
    expect(page.get_by_label("空き家")).to_be_checked()
    expect(page.get_by_label("棚田")).to_be_checked()
    page.get_by_label("祭り").check()
    saved(page)
    page.get_by_role("button", name=re.compile("Next question")).click()
    page.wait_for_url(re.compile(r"\?page=3$"))

    # Question 3, by keyboard alone: move items with their Up/Down buttons.
    shown = Answer.objects.get(attempt=attempt, position=3).question["display_order"]
    texts = {"q3-i1": "調査", "q3-i2": "企画", "q3-i3": "実行"}
    items = page.locator(".quiz-ordering-text")
    expect(items).to_have_text([texts[i] for i in shown])
    for _ in range(6):  # bubble the items into the right order, keyboard only
        current = items.all_inner_texts()
        if current == ["調査", "企画", "実行"]:
            break
        for index in range(len(current) - 1):
            order = {"調査": 0, "企画": 1, "実行": 2}
            if order[current[index]] > order[current[index + 1]]:
                button = page.get_by_role("button", name=re.compile(rf"^Down\W+{current[index]}$"))
                button.focus()
                page.keyboard.press("Enter")
                break
        saved(page)
    expect(items).to_have_text(["調査", "企画", "実行"])
    check(page)
    page.get_by_role("button", name=re.compile("Next question")).click()
    page.wait_for_url(re.compile(r"\?page=4$"))
    assert Answer.objects.get(attempt=attempt, position=3).response == {
        "order": ["q3-i1", "q3-i2", "q3-i3"]
    }

    # Question 4: typed, and the page left at once (before the pause that saves): the
    # words go out as the page goes.
    page.get_by_label("Your answer").fill("空きや")
    page.goto(f"/en/quizzes/{quiz.pk}/")
    answer = Answer.objects.get(attempt=attempt, position=4)
    for _ in range(50):
        answer.refresh_from_db()
        if answer.response:
            break
        page.wait_for_timeout(100)
    assert answer.response == {"text": "空きや"}
    page.go_back()
    expect(page.get_by_label("Your answer")).to_have_value("空きや")
    # Then typed, and finished.
    page.get_by_label("Your answer").fill("空き家ﾊﾞﾝｸ")
    page.get_by_role("button", name=re.compile("Finish and submit")).first.click()
    page.wait_for_url(re.compile(r"/finish/$"))
    expect(page.locator("main")).to_contain_text("All questions are answered.")
    check(page)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator(".quiz-result")).to_contain_text("6 of 6 points (100%)")
    expect(page.locator(".quiz-result")).to_contain_text("Passed")
    expect(page.locator("main")).to_contain_text("まず聞くことが出発点です。")
    check(page)
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.passed


def test_a_quiz_on_a_phone_started_from_its_lesson(phone_page: Page, quiz_setup):
    page = phone_page
    quiz, trainee = quiz_setup
    lesson = quiz.lesson.specific
    lesson.body.append(("quiz", {"quiz": quiz}))
    lesson.save_revision().publish()
    log_in(page, trainee.email)
    page.goto(lesson.url)
    panel = page.locator(".quiz-panel")
    expect(panel).to_contain_text("ブラウザ確認テスト")
    check(page, phone=True)
    panel.locator(f"form[action='/quizzes/{quiz.pk}/start/'] button").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    page.goto(page.url.replace("/quizzes/", "/en/quizzes/", 1))
    page.get_by_label("住民に話を聞く").check()
    saved(page)
    check(page, phone=True)
    page.get_by_role("button", name=re.compile("Next question")).click()
    page.get_by_role("button", name=re.compile("Next question")).click()
    page.wait_for_url(re.compile(r"\?page=3$"))
    check(page, phone=True)
    page.goto(page.url.split("?")[0] + "finish/")
    expect(page.locator("main")).to_contain_text("3 questions are not answered")
    check(page, phone=True)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator(".quiz-result")).to_contain_text("Not passed")
    check(page, phone=True)


def test_a_quiz_without_javascript(browser_session, quiz_setup):
    """Everything works with the plain forms: answers, reordering, finishing."""
    page = browser_session.new_page(java_script_enabled=False)
    quiz, trainee = quiz_setup
    quiz.layout = "all_on_one_page"
    quiz.save()
    log_in(page, trainee.email, prefix="/en")
    page.goto(f"/en/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(re.compile(r"/en/quizzes/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=trainee)
    page.get_by_label("住民に話を聞く").check()
    page.get_by_label("棚田").check()
    shown = Answer.objects.get(attempt=attempt, position=3).question["display_order"]
    texts = {"q3-i1": "調査", "q3-i2": "企画", "q3-i3": "実行"}
    first = texts[shown[0]]
    # A move button posts the whole form: the answers above are saved with the move.
    page.get_by_role("button", name=re.compile(rf"^Down\W+{first}$")).click()
    page.wait_for_url(re.compile(r"#question-3$"))
    expect(page.locator(".quiz-ordering-text")).to_have_text(
        [texts[shown[1]], texts[shown[0]], texts[shown[2]]]
    )
    expect(page.get_by_label("住民に話を聞く")).to_be_checked()
    page.get_by_label("Your answer").fill("空き家バンク")
    page.get_by_role("button", name=re.compile("Finish and submit")).click()
    page.wait_for_url(re.compile(r"/finish/$"))
    expect(page.locator("main")).to_contain_text("All questions are answered.")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.locator(".quiz-result")).to_contain_text("of 6 points")
    attempt.refresh_from_db()
    assert attempt.status == "graded"
    assert Answer.objects.get(attempt=attempt, position=1).response == {"choice": "q1-1"}
    assert Answer.objects.get(attempt=attempt, position=4).response == {"text": "空き家バンク"}

"""A new trainee's first steps in a course, on a desktop and on a phone.

Sign up and confirm the address → the catalogue, filtered → the course → enroll →
続きから学ぶ → read the first lesson → 完了にする → the second lesson → マイページ shows the
progress and 続きから学ぶ leads on to the second lesson. axe-core checks every kind of page
on the way; on the phone, nothing may scroll sideways and the header's links are reached
through the collapsed menu.

And an anonymous visitor who opens a lesson's address sees what the lesson is and the way
to the course, never its text.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from lms.courses.models import CoursePage, Enrollment, LessonPage, LessonProgress

from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations

pytestmark = pytest.mark.browser

COURSE_SLUG = "regional-producer-basics"
COURSE_TITLE = "地域プロデューサー養成講座（基礎）"
OTHER_COURSE_TITLE = "はじめての傾聴：住民の声を聴く"  # self-paced and online: filtered out
PASSWORD = "kyoudou-no-machi-2026"
# The accessible names of required fields end in crispy-forms' asterisk.
FAMILY_NAME = re.compile(r"^姓\*?$")
GIVEN_NAME = re.compile(r"^名\*?$")
LANGUAGE = re.compile(r"^表示言語\*?$")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s/]+/)")


@dataclass
class DemoCourse:
    course: CoursePage
    url: str
    first: LessonPage
    second: LessonPage
    first_heading: str  # a heading of the first lesson's text
    required_lessons: int


@pytest.fixture
def basics(seeded) -> DemoCourse:
    """The demo course 地域プロデューサー養成講座（基礎）, its cohort open for enrollment today.

    The demo cohort's enrollment window has fixed dates (it closes on 20 March 2027); it is
    moved around today so the journey does not expire with it. The database is restored
    before each test, so the move does not outlive the test.
    """
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale=Locale.get_default())
    assert course.title == COURSE_TITLE
    assert course.cohorts.count() == 1
    assert course.cohorts.get().is_enrollment_open()  # the demo seeds dates around today
    first, second = list(course.lessons()[:2])
    assert first.title != second.title
    return DemoCourse(
        course=course,
        url=course.get_url(),
        first=first,
        second=second,
        first_heading=next(b.value["text"] for b in first.body if b.block_type == "heading"),
        required_lessons=course.lessons().filter(required=True).count(),
    )


def lesson_url(lesson: LessonPage) -> re.Pattern:
    return re.compile(rf"/{re.escape(lesson.slug)}/$")


def check_page(page: Page, *, phone: bool) -> None:
    """What every page of the journey must pass: axe-core and no sideways scrolling."""
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def header_link(page: Page, name: str, *, phone: bool):
    """A link of the header's menu, after opening the menu where it is collapsed (phones)."""
    toggler = page.get_by_role("button", name="メニュー")
    if phone:
        expect(toggler).to_have_attribute("aria-expanded", "false")
        toggler.tap()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        # Wait for Bootstrap's opening animation: a tap while the menu still moves can
        # miss its link on a slow machine.
        expect(page.locator("header .collapsing")).to_have_count(0)
    else:
        expect(toggler).to_be_hidden()
    link = page.locator("header").get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    return link


def sign_up_and_confirm(page: Page, email: str, *, phone: bool) -> None:
    """Sign up through the form, open the link of the confirmation e-mail, confirm."""
    page.goto("/")
    header_link(page, "新規登録", phone=phone).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))

    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.get_by_role("textbox", name=FAMILY_NAME).fill("佐藤")
    form.get_by_role("textbox", name=GIVEN_NAME).fill("花子")
    form.get_by_role("textbox", name="姓（ふりがな）").fill("さとう")
    form.get_by_role("textbox", name="名（ふりがな）").fill("はなこ")
    form.get_by_role("combobox", name=LANGUAGE).select_option("ja")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    links = [
        found.group(1)
        for message in mail.outbox
        if message.to == [email] and (found := CONFIRM_LINK.search(message.body))
    ]
    assert len(links) == 1, [(m.to, m.subject) for m in mail.outbox]
    page.goto(links[0])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))


def enroll_and_complete_the_first_lesson(page: Page, basics: DemoCourse, *, phone: bool):
    email = f"hanako.sato.{'phone' if phone else 'desktop'}@example.com"
    sign_up_and_confirm(page, email, phone=phone)
    main = page.locator("main")

    # The catalogue, through the header's menu, narrowed by its filters.
    header_link(page, "講座一覧", phone=phone).click()
    expect(page).to_have_url(re.compile(r"/courses/$"))
    expect(main.locator("h1")).to_have_text("講座一覧")
    expect(main.get_by_role("link", name=OTHER_COURSE_TITLE)).to_be_visible()
    filters = page.get_by_role("form", name="講座の絞り込み")
    filters.get_by_role("checkbox", name="受付中").check()
    filters.get_by_role("combobox", name="形式").select_option(label="オンライン＋フィールドワーク")
    filters.get_by_role("button", name="講座を表示").click()
    expect(page).to_have_url(re.compile(r"/courses/\?(?=.*\bopen=1\b)(?=.*\bformat=blended\b)"))
    expect(main.get_by_role("status")).to_have_text("1件の講座")
    expect(filters.get_by_role("checkbox", name="受付中")).to_be_checked()
    expect(main.get_by_role("link", name=OTHER_COURSE_TITLE)).to_have_count(0)
    check_page(page, phone=phone)

    # The course: enroll.
    main.get_by_role("link", name=COURSE_TITLE).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(basics.url)}$"))
    expect(main.locator("h1")).to_have_text(COURSE_TITLE)
    panel = main.get_by_role("region", name="受講登録")
    enroll = panel.get_by_role("button", name="この講座を受講する")
    expect(enroll).to_be_visible()
    check_page(page, phone=phone)

    enroll.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(basics.url)}$"))
    expect(main.get_by_role("status")).to_contain_text("受講登録が完了しました")
    expect(enroll).to_have_count(0)
    expect(panel).to_contain_text(f"{basics.required_lessons}レッスン中0レッスン完了（0%）")
    check_page(page, phone=phone)

    # 続きから学ぶ: the first lesson, to read and mark as complete.
    panel.get_by_role("link", name="続きから学ぶ").click()
    expect(page).to_have_url(lesson_url(basics.first))
    expect(main.locator("h1")).to_have_text(basics.first.title)
    expect(main.get_by_role("heading", name=basics.first_heading)).to_be_visible()
    check_page(page, phone=phone)

    main.get_by_role("button", name="完了にする").click()
    expect(page).to_have_url(lesson_url(basics.second))
    expect(main.locator("h1")).to_have_text(basics.second.title)
    expect(main.get_by_role("status")).to_contain_text("レッスンを完了にしました。")
    return email


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_sign_up_enroll_complete_a_lesson_and_continue_from_mypage(request, basics, viewport):
    phone = viewport == "phone"
    page: Page = request.getfixturevalue("phone_page" if phone else "page")

    email = enroll_and_complete_the_first_lesson(page, basics, phone=phone)
    assert page.evaluate("() => window.innerWidth") == (360 if phone else 1280)
    main = page.locator("main")

    # マイページ: the course with its progress, and the way back to where I stopped.
    # (No link in the header leads here yet, so the address is typed.)
    response = page.goto("/learn/mypage/")
    assert response.status == 200
    expect(main.locator("h1")).to_have_text("マイページ")
    card = main.locator("article").filter(has=page.get_by_role("link", name=COURSE_TITLE))
    expect(card).to_have_count(1)
    percent = round(100 / basics.required_lessons)
    expect(card).to_contain_text(f"{basics.required_lessons}レッスン中1レッスン完了（{percent}%）")
    progress = card.get_by_role("progressbar", name="講座の進捗")
    expect(progress).to_have_attribute("value", str(percent))
    assert float(progress.get_attribute("value")) > 0
    expect(card).to_contain_text(f"次へ: {basics.second.title}")
    check_page(page, phone=phone)

    card.get_by_role("link", name="続きから学ぶ").click()
    expect(page).to_have_url(lesson_url(basics.second))
    expect(main.locator("h1")).to_have_text(basics.second.title)

    # What the browser did is what the database holds.
    enrollment = Enrollment.objects.get(user=get_user_model().objects.get(email=email))
    assert (enrollment.course_id, enrollment.status) == (basics.course.pk, "active")
    assert enrollment.cohort is not None
    completed = LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson")
    assert {lesson_id for (lesson_id,) in completed} == {basics.first.pk}


def test_anonymous_visitor_sees_a_lesson_title_and_the_way_to_the_course(page: Page, basics):
    response = page.goto(basics.first.get_url())

    assert response.status == 403
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text(basics.first.title)
    expect(main).to_contain_text(COURSE_TITLE)
    expect(main).not_to_contain_text(basics.first_heading)
    expect(main.get_by_role("button", name="完了にする")).to_have_count(0)
    to_course = main.get_by_role("link", name="講座の内容と受講方法を見る")
    expect(to_course).to_have_attribute("href", basics.url)
    assert_no_serious_axe_violations(page)

    to_course.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(basics.url)}$"))
    expect(main.locator("h1")).to_have_text(COURSE_TITLE)
    expect(main.get_by_role("region", name="受講登録")).to_contain_text(
        "受講登録するには、ログインまたはアカウント登録をしてください。"
    )

"""An instructor works through the admin reports: gradebook, cohort dashboard, review queues.

The instructor logs in through the site's login page (as a person would) and, in Wagtail's
admin:

* opens their course's gradebook, narrows it by standing, searches by a reading (kana),
  sorts by a column, and downloads the CSV export through its link: the file holds the
  rows of the table, in the same order;
* opens the course's dashboard: the funnel and weekly-activity charts are SVG images with
  names, and the tables after them (reachable with the keyboard) give the same figures;
* finds the review queues on the admin home, and a count leads to the filtered listing;
* axe-core finds no serious or critical WCAG A/AA violation on the gradebook and the
  dashboard, on a desktop and on a phone (the whole page, Wagtail's own chrome included);
* an instructor of another course is refused both reports.

The course is built once for the module (see ``reports``) on top of the demo site, so the
tests share one dataset and each starts from it. Expected texts come from the Japanese
catalogue through ``gettext``, so the test reads the same whatever the translations say.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from cms.models import HomePage
from lms.assessments import services as quiz_services
from lms.certificates import services as certificate_services
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.models import CourseInstructor, Enrollment
from lms.reports.gradebook.selectors import State
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree, lessons_of

from .conftest import PHONE
from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations, log_in

pytestmark = pytest.mark.browser

TEACHER = "reports-teacher@example.com"
OTHER_TEACHER = "reports-other-teacher@example.com"
COURSE_TITLE = "地域づくり実践講座"
GRADEBOOK = "/admin/reports/gradebook/"
COHORTS = "/admin/reports/cohorts/"

RIGHT = {1: {"choice": "q1-1"}, 2: {"choice": "q2-1"}}
HALF = {1: {"choice": "q1-1"}, 2: {"choice": "q2-2"}}


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(message)


def ja_count(singular: str, plural: str, count: int) -> str:
    with translation.override("ja"):
        return ngettext(singular, plural, count) % {"counter": count}


def ja_label(choice) -> str:
    with translation.override("ja"):
        return str(choice.label)


# --- The course, built once for the module ------------------------------------------------------


def _trainee(last, first, last_kana, first_kana, slug):
    return TraineeFactory(
        last_name=last,
        first_name=first,
        last_name_kana=last_kana,
        first_name_kana=first_kana,
        email=f"reports-{slug}@example.com",
    )


def _attempt(quiz, user, responses):
    attempt = quiz_services.attempt_start(quiz=quiz, user=user)
    quiz_services.answers_save(attempt=attempt, responses=responses, version=attempt.version)
    return quiz_services.attempt_submit(attempt=attempt)


def build_course() -> dict:
    """A course of five trainees, one in each standing of the gradebook, built through the
    apps' services (so certificates are issued and rendered as in real use):

    - 3 required lessons; 確認テストA (required, two questions) and 任意テストC (optional);
      5 approved fieldwork hours required (住民ヒアリング, 共生サロン運営補助);
    - 青木 (第1期): nothing yet — not started;
    - 井上 (第1期): one lesson, A at 50 % (not passed), C passed, 2.5 hours approved and
      1.5 awaiting review — under way;
    - 上田 (第1期): everything; the certificate issued, then revoked — ready for one;
    - 遠藤 (第1期): one lesson; last seen three weeks ago — stalled;
    - 大野 (第2期): A failed then passed, everything else: certificate issued — certified;
    - 加藤 (第1期): an application awaiting approval (not in the gradebook);
    - 別の講座, taught by another instructor, with a trainee of its own.
    """
    home = HomePage.objects.get(locale__language_code="ja")
    course = course_tree(
        home, slug="reports-journey", lessons=3, title=COURSE_TITLE, total_hours=Decimal("20")
    )
    lessons = lessons_of(course)
    first = make_cohort(course, name="第1期")
    second = make_cohort(course, name="第2期")
    teacher = InstructorFactory(email=TEACHER, last_name="森", last_name_kana="もり")
    CourseInstructor.objects.create(page=course, user=teacher)
    ff.requirement(course, hours="5", counted=("hearing", "salon"))
    quiz_a = qf.make_quiz(course, title="確認テストA", questions=[qf.single("q1"), qf.single("q2")])
    quiz_c = qf.make_quiz(
        course, title="任意テストC", questions=[qf.single("q1")], required_for_completion=False
    )

    def enroll(user, cohort):
        return course_services.enrollment_create(user=user, course=course, cohort=cohort)

    enroll(_trainee("青木", "一郎", "あおき", "いちろう", "aoki"), first)

    inoue = enroll(_trainee("井上", "花子", "いのうえ", "はなこ", "inoue"), first)
    course_services.lesson_complete(enrollment=inoue, lesson=lessons[0])
    _attempt(quiz_a, inoue.user, HALF)
    _attempt(quiz_c, inoue.user, {1: {"choice": "q1-1"}})
    ff.entry(inoue, status="approved", category="hearing", hours=Decimal("2.5"))
    ff.entry(inoue, status="submitted", category="hearing", hours=Decimal("1.5"))

    ueda = enroll(_trainee("上田", "健", "うえだ", "けん", "ueda"), first)
    ff.entry(ueda, status="approved", category="hearing", hours=Decimal("5"))
    _attempt(quiz_a, ueda.user, RIGHT)
    for lesson in lessons:
        course_services.lesson_complete(enrollment=ueda, lesson=lesson)
    certificate_services.certificate_revoke(
        certificate=Certificate.objects.get(enrollment=ueda),
        actor=teacher,
        reason="提出物に不正が見つかったため",
    )

    endo = enroll(_trainee("遠藤", "誠", "えんどう", "まこと", "endo"), first)
    course_services.lesson_complete(enrollment=endo, lesson=lessons[0])
    Enrollment.objects.filter(pk=endo.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=21)
    )

    ono = enroll(_trainee("大野", "愛", "おおの", "あい", "ono"), second)
    ff.entry(ono, status="approved", category="salon", hours=Decimal("6"))
    _attempt(quiz_a, ono.user, {1: {"choice": "q1-2"}, 2: {"choice": "q2-3"}})
    _attempt(quiz_a, ono.user, RIGHT)
    for lesson in lessons:
        course_services.lesson_complete(enrollment=ono, lesson=lesson)

    pending = enroll(_trainee("加藤", "翼", "かとう", "つばさ", "kato"), first)
    Enrollment.objects.filter(pk=pending.pk).update(status=Enrollment.Status.PENDING)

    other = course_tree(home, slug="reports-other", lessons=1, title="別の講座")
    other_teacher = InstructorFactory(email=OTHER_TEACHER)
    CourseInstructor.objects.create(page=other, user=other_teacher)
    make_cohort(other, name="別の期")
    course_services.enrollment_create(
        user=_trainee("木村", "拓", "きむら", "たく", "kimura"), course=other
    )
    return {"course": course.pk, "cohorts": (first.pk, second.pk), "other": other.pk}


@pytest.fixture(scope="module")
def _module_snapshot(demo_snapshot):
    """The database with this module's course, serialized once; the demo site's again after.

    The harness restores ``connection._test_serialized_contents`` before every test
    (serialized rollback); pointing it at a snapshot taken after ``build_course`` gives
    every test of the module the course without building it again.
    """
    state: dict = {}
    yield state
    if demo_snapshot["seeded"] is not None:
        connection._test_serialized_contents = demo_snapshot["seeded"]


@pytest.fixture
def reports(_module_snapshot, seeded, django_db_serialized_rollback) -> dict:
    """The ids of the module's course (built by the first test that asks)."""
    if "ids" not in _module_snapshot:
        _module_snapshot["ids"] = build_course()
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    return _module_snapshot["ids"]


# --- Reading the pages --------------------------------------------------------------------------


def gradebook_rows(page: Page) -> list[dict]:
    """The gradebook's rows as shown: trainee (name, reading, e-mail) and each cell's text."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("#gradebook tbody tr")).map((tr) => {
            const text = (el) => el.textContent.replace(/\\s+/g, " ").trim();
            const th = tr.querySelector("th[scope=row]");
            if (!th) return {empty: text(tr)};
            const lines = th.querySelectorAll("div");
            return {
                name: text(th.querySelector("a")),
                kana: text(lines[0]),
                email: text(lines[1]),
                cells: Array.from(tr.querySelectorAll("td")).map(text),
            };
        })"""
    )


def wrapped_cells(page: Page) -> list[str]:
    """The gradebook's cell texts that run over more than one line (a text node laid out
    on n lines has n client rectangles); screen-reader-only texts are not laid out."""
    return page.evaluate(
        """() => {
            const walker = document.createTreeWalker(
                document.querySelector("#gradebook tbody"), NodeFilter.SHOW_TEXT);
            const wrapped = [];
            const range = document.createRange();
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.textContent.trim() || node.parentElement.closest(".w-sr-only")) {
                    continue;
                }
                range.selectNodeContents(node);
                if (range.getClientRects().length > 1) wrapped.push(node.textContent.trim());
            }
            return wrapped;
        }"""
    )


def names(page: Page) -> list[str]:
    return [row["name"] for row in gradebook_rows(page)]


def submit_filters(page: Page) -> None:
    form = page.locator("main form[method=get]")
    with page.expect_navigation():
        form.get_by_role("button", name=ja("Show"), exact=True).click()


# --- The tests ----------------------------------------------------------------------------------


def test_gradebook_filter_search_sort_and_csv_export(page: Page, reports, tmp_path):
    course_id = reports["course"]
    log_in(page, TEACHER)
    page.goto(GRADEBOOK)
    page.locator("main").get_by_role("link", name=COURSE_TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{GRADEBOOK}{course_id}/$"))
    with translation.override("ja"):
        caption = gettext("Gradebook of %(course)s") % {"course": COURSE_TITLE}
    # The table scrolls sideways in a region a keyboard can reach, named by its caption.
    expect(page.get_by_role("region", name=caption, exact=True)).to_have_attribute("tabindex", "0")
    # Everyone holding a seat, by reading; not the applicant awaiting approval.
    assert names(page) == ["青木 一郎", "井上 花子", "上田 健", "遠藤 誠", "大野 愛"]

    # The standings filter: stalled, then ready for a certificate.
    standing = page.get_by_label(ja("Standing"), exact=True)
    standing.select_option(State.STALLED.value)
    submit_filters(page)
    expect(page).to_have_url(re.compile(r"[?&]state=stalled(&|$)"))
    assert names(page) == ["遠藤 誠"]
    assert gradebook_rows(page)[0]["cells"][1] == ja_label(State.STALLED)

    page.get_by_label(ja("Standing"), exact=True).select_option(State.READY.value)
    submit_filters(page)
    assert names(page) == ["上田 健"]
    ready = gradebook_rows(page)[0]
    assert ready["cells"][1] == ja_label(State.READY)
    assert ready["cells"][-2] == ja_label(Certificate.Status.REVOKED)

    # All standings again, searched by a reading: いのうえ, うえだ and えんどう hold 「え」.
    page.get_by_label(ja("Standing"), exact=True).select_option("")
    page.get_by_label(ja("Name, reading (kana) or e-mail"), exact=True).fill("え")
    submit_filters(page)
    assert names(page) == ["井上 花子", "上田 健", "遠藤 誠"]
    expect(page.get_by_label(ja("Name, reading (kana) or e-mail"), exact=True)).to_have_value("え")

    # Sorted by progress: ascending (ties by reading), then descending; the search stays.
    header = page.locator("#gradebook thead th").filter(
        has=page.get_by_role("link", name=ja("Progress"), exact=True)
    )
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert names(page) == ["井上 花子", "遠藤 誠", "上田 健"]
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"[?&]q=%E3%81%88(&|$)"))
    rows = gradebook_rows(page)
    assert [row["name"] for row in rows] == ["上田 健", "井上 花子", "遠藤 誠"]
    assert page.locator("#gradebook thead th[aria-sort]").count() == 1

    # The CSV link exports exactly these rows, in this order.
    link = page.get_by_role("link", name=ja("Download CSV"), exact=True)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    today = timezone.localdate().strftime("%Y%m%d")
    assert download.suggested_filename == f"gradebook-course{course_id}-{today}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode())
    header_row, *csv_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))

    quizzes = ("任意テストC", "確認テストA")  # the page's order: by title
    with translation.override("ja"):
        expected_header = [
            gettext("Trainee"),
            gettext("Reading (kana)"),
            gettext("E-mail"),
            gettext("Cohort"),
            gettext("Standing"),
            gettext("Progress (%)"),
            gettext("Lessons completed"),
            gettext("Required lessons"),
        ]
        for quiz in quizzes:
            expected_header += [
                gettext("%(quiz)s: best score (%%)") % {"quiz": quiz},
                gettext("%(quiz)s: passed") % {"quiz": quiz},
            ]
        expected_header += [
            gettext("Approved fieldwork hours"),
            gettext("Required fieldwork hours"),
            gettext("Certificate"),
            gettext("Last activity"),
        ]
    assert header_row == expected_header
    passed, not_passed = ja("Passed"), ja("Not passed")
    first = "第1期"
    assert [row[:-1] for row in csv_rows] == [
        # name, reading, e-mail, cohort, standing, %, lessons, of, C, C passed, A, A passed,
        # hours, required, certificate
        ["上田 健", "うえだ けん", "reports-ueda@example.com", first, ja_label(State.READY),
         "100", "3", "3", "", "", "100", passed, "5", "5",
         ja_label(Certificate.Status.REVOKED)],
        ["井上 花子", "いのうえ はなこ", "reports-inoue@example.com", first,
         ja_label(State.IN_PROGRESS), "33", "1", "3", "100", passed, "50", not_passed, "2.5",
         "5", ""],
        ["遠藤 誠", "えんどう まこと", "reports-endo@example.com", first,
         ja_label(State.STALLED), "33", "1", "3", "", "", "", "", "0", "5", ""],
    ]  # fmt: skip

    # Row by row, cell by cell, the file says what the table shows.
    for shown, exported in zip(rows, csv_rows, strict=True):
        (name, kana, email, cohort, state, progress, lessons, lessons_total,
         c_best, c_passed, a_best, a_passed, hours, hours_required, certificate,
         activity) = exported  # fmt: skip
        quiz_cells = [
            f"{best}% {result}" if best else ("—" if not result else ja("Awaiting grading"))
            for best, result in ((c_best, c_passed), (a_best, a_passed))
        ]
        assert (shown["name"], shown["kana"], shown["email"]) == (name, kana, email)
        expected_cells = [
            cohort,
            state,
            f"{progress}%",
            f"{lessons} / {lessons_total}",
            *quiz_cells,
            f"{hours} / {hours_required}",
            certificate or "—",
            activity or "—",
        ]
        assert [cell.replace(ja("No attempt"), "") for cell in shown["cells"]] == expected_cells


def test_cohort_dashboard_charts_have_names_and_tables_give_the_same_figures(page: Page, reports):
    log_in(page, TEACHER)
    page.goto(COHORTS)
    with translation.override("ja"):
        whole = gettext("%(course)s (all trainees)") % {"course": COURSE_TITLE}
    page.locator("main").get_by_role("link", name=whole, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{COHORTS}course/{reports['course']}/$"))

    # The charts: images named by their title and described by their text.
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    with translation.override("ja"):
        funnel_name = "{} {}".format(
            gettext("Completion funnel"),
            gettext(
                "Trainees who reached each stage and every stage before it, out of %(count)s "
                "enrolled. The same figures are in the table below."
            )
            % {"count": 5},
        )
        weekly_name = "{} {}".format(
            gettext("Weekly activity"),
            gettext(
                "Lesson completions, quiz submissions and fieldwork entries submitted per "
                "week, from %(first)s to %(last)s, one panel each. The same figures are in "
                "the table below."
            )
            % {
                "first": formats.date_format(monday - datetime.timedelta(weeks=11)),
                "last": formats.date_format(monday),
            },
        )
    funnel = page.get_by_role("img", name=ja("Completion funnel"))
    expect(funnel).to_have_count(1)
    expect(funnel).to_have_accessible_name(funnel_name)
    weekly = page.get_by_role("img", name=ja("Weekly activity"))
    expect(weekly).to_have_count(1)
    expect(weekly).to_have_accessible_name(weekly_name)

    # The charts' tables, reached with the keyboard from the top of the page.
    funnel_table = page.get_by_role("region", name=ja("Completion funnel as a table"))
    weekly_table = page.get_by_role("region", name=ja("Weekly activity as a table"))
    reached = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.getAttribute('aria-labelledby') || ''"
        )
        if focused in ("report-funnel-caption", "report-weekly-caption"):
            reached.add(focused)
        if len(reached) == 2:
            break
    assert reached == {"report-funnel-caption", "report-weekly-caption"}
    expect(funnel_table).to_be_visible()
    expect(weekly_table).to_be_visible()

    # The funnel: every bar's number is the table's, and both are what the course holds.
    bars = funnel.locator("g.report-chart__bar > title").all_text_contents()
    table = [
        [cell.strip() for cell in row.locator("th, td").all_text_contents()]
        for row in funnel_table.locator("tbody tr").all()
    ]
    assert len(bars) == len(table) == 7
    for bar, (label, count, percent) in zip(bars, table, strict=True):
        assert bar.startswith(f"{label}: ")
        assert re.findall(r"\d+", bar.removeprefix(f"{label}: ")) == [count, percent.rstrip("%")]
    # enrolled, started, half the lessons, all, quizzes, fieldwork, certified: 青木 did not
    # start; 上田's certificate was revoked, so only 大野 holds one.
    assert [(count, percent) for _label, count, percent in table] == [
        ("5", "100%"), ("4", "80%"), ("2", "40%"), ("2", "40%"), ("2", "40%"), ("2", "40%"),
        ("1", "20%"),
    ]  # fmt: skip

    # The weekly chart: one column per week and series, each the table's figure.
    columns = weekly.locator("g.report-chart__column > title").all_text_contents()
    weeks = [
        [cell.strip() for cell in row.locator("th, td").all_text_contents()]
        for row in weekly_table.locator("tbody tr").all()
    ]
    assert len(weeks) == 12
    series = [text.strip() for text in weekly_table.locator("thead th").all_text_contents()[1:]]
    assert series == [ja("Lesson completions"), ja("Quiz submissions"),
                      ja("Fieldwork entries submitted")]  # fmt: skip
    charted = {}
    for title in columns:
        week, rest = title.rsplit(": ", 1)
        label, value = rest.rsplit(" ", 1)
        charted[(week, label)] = value
    assert len(charted) == 12 * 3
    for week, *values in weeks:
        week_label = week.rsplit(" (", 1)[0]
        for label, value in zip(series, values, strict=True):
            assert charted[(week_label, label)] == value, (week_label, label)
    # Everything happened this week: lessons 1+3+1+3, quizzes 2+1+2, entries 2+1+1.
    assert [week[1:] for week in weeks] == [["0", "0", "0"]] * 11 + [["8", "5", "4"]]


def test_admin_home_shows_the_review_queues_and_a_count_leads_to_the_listing(page: Page, reports):
    log_in(page, TEACHER)
    page.goto("/admin/")
    panel = page.get_by_role("region", name=ja("Waiting for your review"), exact=True)
    summary = panel.locator(".review-queues-summary")
    expect(summary.get_by_role("link")).to_have_text(
        [
            ja_count(
                "%(counter)s enrollment awaiting approval",
                "%(counter)s enrollments awaiting approval",
                1,
            ),
            ja_count(
                "%(counter)s fieldwork entry awaiting review",
                "%(counter)s fieldwork entries awaiting review",
                1,
            ),
            ja_count(
                "%(counter)s essay answer awaiting a grade",
                "%(counter)s essay answers awaiting a grade",
                0,
            ),
        ]
    )
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("th")).to_have_text(COURSE_TITLE)
    expect(rows.locator("td")).to_have_text(["1", "1", "0"])

    # The course's fieldwork count: the listing, filtered to what waits in this course.
    with translation.override("ja"):
        name = ngettext(
            "%(course)s: %(counter)s fieldwork entry awaiting review",
            "%(course)s: %(counter)s fieldwork entries awaiting review",
            1,
        ) % {"course": COURSE_TITLE, "counter": 1}
    rows.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]course={reports['course']}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]status=submitted(&|$)"))
    listing = page.locator("main table tbody tr")
    expect(listing).to_have_count(1)
    expect(listing).to_contain_text("井上 花子")

    # The pending applications, the same way.
    page.go_back()
    panel.locator(".review-queues-summary").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"[?&]status=pending(&|$)"))
    listing = page.locator("main table tbody tr")
    expect(listing).to_have_count(1)
    expect(listing).to_contain_text("加藤 翼")


def test_reports_have_no_serious_axe_violations_on_a_desktop_and_a_phone(browser_session, reports):
    """The whole page is checked, Wagtail's admin chrome included (it has no serious or
    critical violation on these pages); on the phone nothing scrolls sideways either."""
    course_id = reports["course"]
    urls = (
        f"{GRADEBOOK}{course_id}/",
        f"{GRADEBOOK}{course_id}/?q=%E3%81%88&sort=-progress",
        f"{COHORTS}course/{course_id}/",
        f"{COHORTS}{reports['cohorts'][0]}/",
    )
    for options in ({}, PHONE):
        page = browser_session.new_page(**options)
        log_in(page, TEACHER)
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            expect(page.locator("main table").first).to_be_visible()
            assert_no_serious_axe_violations(page)
            if options:
                assert_no_horizontal_scroll(page)
            if url.startswith(GRADEBOOK):
                assert wrapped_cells(page) == [], url


def test_an_instructor_of_another_course_is_refused(page: Page, reports):
    course_id = reports["course"]
    log_in(page, OTHER_TEACHER)
    page.goto(GRADEBOOK)
    main = page.locator("main")
    expect(main.get_by_role("link", name="別の講座", exact=True)).to_be_visible()
    expect(main).not_to_contain_text(COURSE_TITLE)
    page.goto(COHORTS)
    expect(main).to_contain_text("別の講座")
    expect(main).not_to_contain_text(COURSE_TITLE)
    for url in (
        f"{GRADEBOOK}{course_id}/",
        f"{GRADEBOOK}{course_id}/?state=ready",
        f"{GRADEBOOK}{course_id}/export/csv/",
        f"{COHORTS}course/{course_id}/",
        *(f"{COHORTS}{cohort}/" for cohort in reports["cohorts"]),
    ):
        response = page.goto(url)
        assert response.status == 404, url
        assert "上田 健" not in page.content(), url
    page.goto("/admin/")
    panel = page.get_by_role("region", name=ja("Waiting for your review"), exact=True)
    expect(panel).to_contain_text(ja("Nothing is waiting for your review in your courses."))

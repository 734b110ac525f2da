"""The enrollment admin (受講登録): who sees what, decisions, audit log, export, query budget."""

import csv
import html
import io

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext, ngettext

from lms.courses import services
from lms.courses.models import CourseInstructor, CourseLogEntry, Enrollment, EnrollmentEvent
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db
Status = Enrollment.Status
LISTING = "/admin/enrollments/"


def ja(message, *args):
    """The text a Japanese admin sees for ``message`` (English until the catalogue has it)."""
    with translation.override("ja"):
        return gettext(message) if not args else ngettext(message, *args)


def page(response):
    return html.unescape(response.content.decode())


def decision_url(action, *enrollments, **params):
    query = "&".join(f"id={e.pk}" for e in enrollments)
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return f"/admin/bulk/courses/enrollment/{action}/?{query}&next={LISTING}{extra}"


@pytest.fixture
def courses(site_tree):
    taught = course_tree(site_tree, slug="taught", title="空き家活用講座", policy="approval")
    other = course_tree(site_tree, slug="other", title="共生サロン講座", policy="approval")
    return taught, other


@pytest.fixture
def instructor(courses):
    user = InstructorFactory(last_name="講師", first_name="一郎")
    CourseInstructor(page=courses[0], user=user).save()
    return user


@pytest.fixture
def enrollments(courses):
    taught, other = courses
    mine = [
        services.enrollment_create(
            user=TraineeFactory(
                last_name="髙橋",
                first_name="𠮷子",
                last_name_kana="たかはし",
                first_name_kana="よしこ",
            ),
            course=taught,
        ),
        services.enrollment_create(
            user=TraineeFactory(last_name="渡邉", first_name="次郎", last_name_kana="わたなべ"),
            course=taught,
        ),
    ]
    theirs = services.enrollment_create(
        user=TraineeFactory(last_name="鈴木", first_name="三郎", last_name_kana="すずき"),
        course=other,
    )
    return mine, theirs


# --- Who sees what ---------------------------------------------------------------------------
def test_an_instructor_sees_only_the_enrollments_of_courses_they_teach(
    client, instructor, enrollments
):
    client.force_login(instructor)
    response = client.get(LISTING)
    assert response.status_code == 200
    text = page(response)
    assert "髙橋 𠮷子" in text and "たかはし よしこ" in text
    assert "渡邉 次郎" in text
    assert "空き家活用講座" in text
    assert "鈴木" not in text and "共生サロン講座" not in text
    assert ja("Awaiting approval") in text


def test_a_cohort_instructor_sees_only_their_cohorts_enrollments(client, site_tree):
    course = course_tree(site_tree, slug="cohorts")
    first = cohort(course, name="第1期")
    second = cohort(course, name="第2期")
    teacher = InstructorFactory()
    first.instructors.add(teacher)
    services.enrollment_create(user=TraineeFactory(last_name="一期生"), course=course, cohort=first)
    services.enrollment_create(
        user=TraineeFactory(last_name="二期生"), course=course, cohort=second
    )
    client.force_login(teacher)
    text = page(client.get(LISTING))
    assert "一期生" in text
    assert "二期生" not in text


def test_a_superuser_sees_every_enrollment(client, enrollments):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    text = page(client.get(LISTING))
    assert "髙橋" in text and "鈴木" in text


def test_an_instructor_who_teaches_nothing_sees_an_empty_listing(client, enrollments):
    client.force_login(InstructorFactory())
    response = client.get(LISTING)
    assert response.status_code == 200
    text = page(response)
    assert "髙橋" not in text and "鈴木" not in text


def test_trainees_never_reach_the_enrollment_admin(client, enrollments):
    mine, _theirs = enrollments
    client.force_login(mine[0].user)
    for url in (LISTING, f"{LISTING}?export=csv", decision_url("approve", mine[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_menu_offers_the_enrollment_admin(client, instructor):
    client.force_login(instructor)
    assert LISTING in client.get("/admin/").content.decode()


def test_filters_and_search_by_name_kana_and_email(client, instructor, courses, enrollments):
    mine, _theirs = enrollments
    services.enrollment_approve(enrollment=mine[1], actor=instructor)
    client.force_login(instructor)
    text = page(client.get(LISTING, {"status": "active"}))
    assert "渡邉" in text and "髙橋" not in text
    # Katakana finds a reading stored in hiragana; a full-width space separates words.
    text = page(client.get(LISTING, {"q": "タカハシ"}))
    assert "髙橋" in text and "渡邉" not in text
    text = page(client.get(LISTING, {"q": "渡邉\u3000次郎"}))
    assert "渡邉" in text and "髙橋" not in text
    text = page(client.get(LISTING, {"q": mine[0].user.email.upper()}))
    assert "髙橋" in text and "渡邉" not in text
    # Filtering by a course one does not teach is refused by the filter, not a leak.
    text = page(client.get(LISTING, {"course": courses[1].pk}))
    assert "鈴木" not in text


def test_progress_counts_live_required_lessons(client, site_tree, instructor):
    course = course_tree(site_tree, slug="progress", lessons=3)
    CourseInstructor(page=course, user=instructor).save()
    enrollment = services.enrollment_create(user=TraineeFactory(last_name="進捗"), course=course)
    services.lesson_complete(enrollment=enrollment, lesson=lessons_of(course)[0])
    client.force_login(instructor)
    text = page(client.get(LISTING, {"course": course.pk}))
    assert "33%" in text


# --- Decisions -------------------------------------------------------------------------------
def test_approve_one_with_a_message_emails_logs_and_says_so(
    client, instructor, enrollments, django_capture_on_commit_callbacks
):
    mine, _theirs = enrollments
    client.force_login(instructor)
    confirm = client.get(decision_url("approve", mine[0]))
    assert confirm.status_code == 200
    assert "髙橋 𠮷子" in page(confirm)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decision_url("approve", mine[0]), {"message": "ようこそ"}, follow=True
        )
    assert response.status_code == 200
    assert ja("%(count)d application approved.", "%(count)d applications approved.", 1) % {
        "count": 1
    } in page(response)
    mine[0].refresh_from_db()
    mine[1].refresh_from_db()
    assert mine[0].status == Status.ACTIVE and mine[0].decision_message == "ようこそ"
    assert mine[1].status == Status.PENDING
    assert [m.to for m in mail.outbox] == [[mine[0].user.email]]
    assert "ようこそ" in mail.outbox[0].body
    entry = CourseLogEntry.objects.get(object_id=str(mine[0].pk))
    assert entry.action == "courses.enrollment.approve" and entry.user == instructor
    assert EnrollmentEvent.objects.filter(enrollment=mine[0], actor=instructor).exists()
    history = page(client.get(f"{LISTING}history/{mine[0].pk}/"))
    assert "ようこそ" in history and ja("Enrollment approved") in history


def test_bulk_approve_several_and_report_the_waiting_list(
    client, site_tree, instructor, django_capture_on_commit_callbacks
):
    course = course_tree(site_tree, slug="full", policy="approval")
    cohort(course, capacity=2)
    CourseInstructor(page=course, user=instructor).save()
    pending = [services.enrollment_create(user=TraineeFactory(), course=course) for _ in range(3)]
    client.force_login(instructor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decision_url("approve", *pending), {"message": ""}, follow=True)
    text = page(response)
    assert (
        ja("%(count)d application approved.", "%(count)d applications approved.", 3) % {"count": 3}
        in text
    )
    waitlist = ja(
        "%(count)d of them is on the waiting list because the cohort is full.",
        "%(count)d of them are on the waiting list because the cohort is full.",
        1,
    ) % {"count": 1}
    assert waitlist in text
    statuses = sorted(Enrollment.objects.filter(course=course).values_list("status", flat=True))
    assert statuses == [Status.ACTIVE, Status.ACTIVE, Status.WAITLISTED]
    assert len(mail.outbox) == 3
    assert CourseLogEntry.objects.filter(action="courses.enrollment.approve").count() == 3


def test_bulk_reject_skips_rows_not_awaiting_a_decision(
    client, instructor, enrollments, django_capture_on_commit_callbacks
):
    mine, _theirs = enrollments
    services.enrollment_approve(enrollment=mine[1], actor=instructor)
    client.force_login(instructor)
    confirm = page(client.get(decision_url("reject", *mine)))
    assert ja("These are not awaiting a decision and will be left as they are:") in confirm
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decision_url("reject", *mine), {"message": "次の期に"}, follow=True)
    text = page(response)
    assert (
        ja("%(count)d application rejected.", "%(count)d applications rejected.", 1) % {"count": 1}
        in text
    )
    skipped = ja(
        "%(count)d selected enrollment is not awaiting a decision and was left as it is.",
        "%(count)d selected enrollments are not awaiting a decision and were left as they are.",
        1,
    )
    assert skipped % {"count": 1} in text
    mine[0].refresh_from_db()
    mine[1].refresh_from_db()
    assert mine[0].status == Status.REJECTED and mine[1].status == Status.ACTIVE
    assert len(mail.outbox) == 1
    assert CourseLogEntry.objects.filter(action="courses.enrollment.reject").count() == 1


def test_a_row_that_cannot_be_decided_is_reported_by_name_and_the_others_go_on(
    client, instructor, enrollments, monkeypatch
):
    mine, _theirs = enrollments
    approve = services.enrollment_approve

    def approve_or_fail(*, enrollment, actor, message=""):
        if enrollment.pk == mine[0].pk:  # e.g. the trainee withdrew a moment ago
            raise services.EnrollmentError("承認できません（テスト）")
        return approve(enrollment=enrollment, actor=actor, message=message)

    monkeypatch.setattr(services, "enrollment_approve", approve_or_fail)
    client.force_login(instructor)
    response = client.post(decision_url("approve", *mine), {"message": ""}, follow=True)
    text = page(response)
    assert "髙橋 𠮷子（空き家活用講座）：承認できません（テスト）" in text
    assert (
        ja("%(count)d application approved.", "%(count)d applications approved.", 1) % {"count": 1}
        in text
    )
    mine[0].refresh_from_db()
    mine[1].refresh_from_db()
    assert (mine[0].status, mine[1].status) == (Status.PENDING, Status.ACTIVE)
    assert CourseLogEntry.objects.filter(object_id=str(mine[0].pk)).count() == 0


def test_selecting_all_in_the_listing_keeps_the_listings_filters(client, instructor, courses):
    taught, _other = courses
    second = course_tree(taught.get_parent(), slug="second", policy="approval")
    CourseInstructor(page=second, user=instructor).save()
    services.enrollment_create(user=TraineeFactory(last_name="甲"), course=taught)
    services.enrollment_create(user=TraineeFactory(last_name="乙"), course=second)
    client.force_login(instructor)
    url = f"/admin/bulk/courses/enrollment/approve/?course={second.pk}&id=all&next={LISTING}"
    text = page(client.get(url))
    assert "乙" in text and "甲 " not in text


def test_an_instructor_cannot_decide_on_a_course_they_do_not_teach(
    client, instructor, enrollments, django_capture_on_commit_callbacks
):
    _mine, theirs = enrollments
    client.force_login(instructor)
    assert client.get(decision_url("approve", theirs)).status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for action in ("approve", "reject"):
            response = client.post(decision_url(action, theirs), {"message": "x"})
            assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING
    assert mail.outbox == []
    assert not CourseLogEntry.objects.filter(object_id=str(theirs.pk)).exists()
    assert client.get(f"{LISTING}history/{theirs.pk}/").status_code == 404


def test_mixing_someone_elses_id_into_a_bulk_decision_only_decides_ones_own(
    client, instructor, enrollments
):
    mine, theirs = enrollments
    client.force_login(instructor)
    client.post(decision_url("approve", mine[0], theirs), {"message": ""})
    mine[0].refresh_from_db()
    theirs.refresh_from_db()
    assert mine[0].status == Status.ACTIVE
    assert theirs.status == Status.PENDING


def test_decisions_need_post_and_a_csrf_token(instructor, enrollments):
    from django.test import Client

    mine, _theirs = enrollments
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    assert client.post(decision_url("approve", mine[0]), {"message": ""}).status_code == 403
    mine[0].refresh_from_db()
    assert mine[0].status == Status.PENDING


# --- Export ----------------------------------------------------------------------------------
def _csv_export(client, **params):
    response = client.get(LISTING, {"export": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def test_csv_export_has_a_bom_japanese_names_and_only_permitted_rows(
    client, instructor, enrollments
):
    client.force_login(instructor)
    raw = _csv_export(client)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, *body = rows
    assert len(header) == 9
    assert header[0] == "受講者" and header[2] == "メールアドレス"
    assert header[7] == ja("Progress")
    names = {row[0] for row in body}
    assert names == {"髙橋 𠮷子", "渡邉 次郎"}
    takahashi = next(row for row in body if row[0] == "髙橋 𠮷子")
    assert takahashi[1] == "たかはし よしこ"
    assert takahashi[3] == "空き家活用講座"
    assert takahashi[5] == ja("Awaiting approval")
    assert takahashi[7] == "0%"


def test_csv_export_follows_the_filters(client, instructor, enrollments):
    mine, _theirs = enrollments
    services.enrollment_approve(enrollment=mine[1], actor=instructor)
    client.force_login(instructor)
    raw = _csv_export(client, status="active")
    body = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]
    assert [row[0] for row in body] == ["渡邉 次郎"]


def test_a_name_that_looks_like_a_formula_stays_text_in_csv(client, site_tree, instructor):
    course = course_tree(site_tree, slug="formula")
    CourseInstructor(page=course, user=instructor).save()
    services.enrollment_create(user=TraineeFactory(last_name="=1+1", first_name=""), course=course)
    client.force_login(instructor)
    raw = _csv_export(client)
    assert "'=1+1" in raw.decode("utf-8-sig")


def test_xlsx_export_opens_with_the_same_header_and_rows(client, instructor, enrollments):
    from openpyxl import load_workbook

    client.force_login(instructor)
    csv_header = next(csv.reader(io.StringIO(_csv_export(client).decode("utf-8-sig"))))
    response = client.get(LISTING, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == csv_header
    assert {row[0] for row in rows[1:]} == {"髙橋 𠮷子", "渡邉 次郎"}
    assert all(row[7] == 0 for row in rows[1:])


def test_an_instructor_cannot_export_other_courses(client, enrollments):
    client.force_login(InstructorFactory())
    raw = _csv_export(client)
    assert len(list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))) == 1  # the header only


# --- Query budget ----------------------------------------------------------------------------
QUERIES_LISTING = 16


@pytest.mark.parametrize("size", [10, 200])
def test_listing_queries_do_not_grow_with_the_number_of_enrollments(
    client, site_tree, django_assert_num_queries, size
):
    course = course_tree(site_tree, slug=f"size-{size}", lessons=4, modules=2)
    group = cohort(course, name="第1期")
    instructor = InstructorFactory()
    CourseInstructor(page=course, user=instructor).save()
    lessons = lessons_of(course)
    for n in range(size):
        enrollment = Enrollment.objects.create(
            user=TraineeFactory(verified=False), course=course, cohort=group, status=Status.ACTIVE
        )
        if n % 3 == 0:
            services.lesson_complete(enrollment=enrollment, lesson=lessons[n % 4])
    client.force_login(instructor)
    client.get(LISTING)
    with django_assert_num_queries(QUERIES_LISTING):
        response = client.get(LISTING)
    assert response.status_code == 200
    assert response.content.decode().count(
        'data-bulk-action-checkbox class="bulk-action-checkbox"'
    ) == min(size, 50)

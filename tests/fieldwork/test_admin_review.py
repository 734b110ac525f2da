"""The instructors' side: review decisions, what trainees wrote shown escaped, export, budgets."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from lms.courses.models import Cohort, CourseInstructor, CourseLogEntry, Enrollment
from lms.fieldwork.models import FieldworkEntry, FieldworkEvent, FieldworkRequirement
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import cohort, course_tree
from tests.factories.fieldwork import categories, enrolled, entry, requirement

pytestmark = pytest.mark.django_db
QUEUE = "/admin/fieldwork/"
XSS_REFLECTION = (
    "<script>alert('xss')</script> 学び "
    '<a href="javascript:alert(1)">詳しくはこちら</a> '
    '<img src=x onerror="alert(2)">'
)


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="fw")


@pytest.fixture
def instructor(course):
    user = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=user)
    return user


@pytest.fixture
def submitted(course):
    return entry(enrolled(course), status="submitted", learned=XSS_REFLECTION)


def _assert_inert(html):
    assert "<script>alert('xss')" not in html
    assert 'href="javascript:' not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")  # only escaped text remains
    assert "&lt;script&gt;alert(" in html


def test_a_hostile_reflection_runs_nothing_in_the_admin(client, instructor, submitted):
    client.force_login(instructor)
    for url in (f"{QUEUE}review/{submitted.pk}/", QUEUE, f"/fieldwork/entries/{submitted.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        if "review" in url or "entries" in url:
            _assert_inert(response.content.decode())


def test_the_history_view_escapes_comments(client, instructor, submitted):
    client.force_login(instructor)
    response = client.post(
        f"{QUEUE}review/{submitted.pk}/",
        {"decision": "return", "comment": "<script>alert('c')</script>もう少し具体的に"},
    )
    assert response.status_code == 302
    for url in (f"{QUEUE}history/{submitted.pk}/", f"{QUEUE}review/{submitted.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert('c')" not in html
        assert "もう少し具体的に" in html


def test_approve_return_and_reject_are_recorded_and_logged(client, instructor, course):
    enrollment = enrolled(course)
    first = entry(enrollment, status="submitted", days_ago=1)
    second = entry(enrollment, status="submitted", days_ago=2)
    third = entry(enrollment, status="submitted", days_ago=3)
    client.force_login(instructor)

    response = client.post(f"{QUEUE}review/{first.pk}/", {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "受講者へのコメント" in response.content.decode()
    assert FieldworkEntry.objects.get(pk=first.pk).status == "submitted"

    client.post(f"{QUEUE}review/{first.pk}/", {"decision": "approve", "comment": ""})
    client.post(f"{QUEUE}review/{second.pk}/", {"decision": "return", "comment": "写真を追加"})
    client.post(f"{QUEUE}review/{third.pk}/", {"decision": "reject", "comment": "対象外の活動"})
    statuses = dict(FieldworkEntry.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == (
        "approved",
        "returned",
        "rejected",
    )
    event = FieldworkEvent.objects.get(entry=second, to_status="returned")
    assert (event.actor, event.comment, event.from_status) == (
        instructor,
        "写真を追加",
        "submitted",
    )
    logged = CourseLogEntry.objects.filter(user=instructor).values_list("action", flat=True)
    assert sorted(logged) == ["fieldwork.approve", "fieldwork.reject", "fieldwork.return"]
    # A decided entry cannot be decided again.
    response = client.post(f"{QUEUE}review/{first.pk}/", {"decision": "reject", "comment": "x"})
    assert FieldworkEntry.objects.get(pk=first.pk).status == "approved"

    # The trainee sees the instructor's comment.
    client.force_login(enrollment.user)
    html = client.get(f"/fieldwork/entries/{second.pk}/").content.decode()
    assert "写真を追加" in html and "差し戻し" in html


def test_queue_filters_by_course_cohort_and_status(client, instructor, course):
    outside = entry(enrolled(course), status="approved")  # self-paced, before the cohort
    group = cohort(course, name="第1期")
    enrollment = enrolled(course)
    assert enrollment.cohort == group
    in_cohort = entry(enrollment, status="submitted")
    client.force_login(instructor)
    html = client.get(QUEUE, {"cohort": group.pk}).content.decode()
    assert f"review/{in_cohort.pk}/" in html and f"review/{outside.pk}/" not in html
    html = client.get(QUEUE, {"status": "approved"}).content.decode()
    assert f"review/{outside.pk}/" in html and f"review/{in_cohort.pk}/" not in html
    html = client.get(QUEUE, {"course": course.pk}).content.decode()
    assert f"/admin/fieldwork/courses/{course.pk}/" in html  # the totals and map


def _export(client, fmt, **params):
    response = client.get(QUEUE, {"export": fmt, **params})
    assert response.status_code == 200
    return response


def test_csv_export_per_course_with_japanese_and_formulas_kept_as_text(client, instructor, course):
    other = course_tree(course.get_parent().get_parent(), slug="other")
    entry(enrolled(course), status="approved", activity='=HYPERLINK("http://evil")')
    entry(enrolled(other), status="approved")
    client.force_login(instructor)
    response = _export(client, "csv", course=course.pk)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["受講者", "ふりがな", "メールアドレス"] or rows[0][0] == "受講者"
    assert len(rows) == 2  # the header and the one entry of the course taught
    assert "'=HYPERLINK" in rows[1][rows[0].index("活動内容")]
    assert rows[1][rows[0].index("時間")] == "2.5"


def test_xlsx_export(client, instructor, course):
    from openpyxl import load_workbook

    entry(enrolled(course), status="submitted", hours=Decimal("1.75"))
    client.force_login(instructor)
    response = _export(client, "xlsx", course=course.pk)
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert header[0] == "受講者"
    assert row[header.index("時間")] == 1.75
    assert sheet.max_row == 2


def test_instructors_set_the_requirement_of_their_own_courses_only(client, instructor, course):
    other = course_tree(course.get_parent().get_parent(), slug="other")
    cats = categories()
    client.force_login(instructor)
    response = client.get("/admin/fieldwork-requirements/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{course.pk}"' in html and f'value="{other.pk}"' not in html
    response = client.post(
        "/admin/fieldwork-requirements/new/",
        {"course": other.pk, "required_hours": "10", "categories": [cats["hearing"].pk]},
    )
    assert not FieldworkRequirement.objects.exists()
    response = client.post(
        "/admin/fieldwork-requirements/new/",
        {
            "course": course.pk,
            "required_hours": "12.5",
            "categories": [cats["hearing"].pk, cats["salon"].pk],
            "deadline": "2027-03-31",
            "instructions": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = FieldworkRequirement.objects.get()
    assert (saved.course_id, saved.required_hours) == (course.pk, Decimal("12.5"))
    assert set(saved.categories.values_list("slug", flat=True)) == {"hearing", "salon"}
    mine = FieldworkRequirement.objects.create(course=other, required_hours=5)
    assert client.get(f"/admin/fieldwork-requirements/edit/{mine.pk}/").status_code == 404


def test_course_totals_page_shows_hours_per_trainee_and_the_map(client, instructor, course):
    requirement(course, hours="10")
    enrollment = enrolled(course)
    entry(enrollment, status="approved", hours=Decimal("4"), prefecture="kochi")
    entry(enrollment, status="submitted", hours=Decimal("2"), days_ago=3)
    entry(enrollment, status="approved", hours=Decimal("1.5"), category="talks", days_ago=4)
    client.force_login(instructor)
    html = client.get(f"/admin/fieldwork/courses/{course.pk}/").content.decode()
    assert enrollment.user.get_full_name() in html
    assert "<svg" in html and "高知県" in html
    row = html[html.index(enrollment.user.get_full_name()) :].split("</tr>")[0]
    # entries, 住民ヒアリング, 共生サロン運営補助, 空き家調査, 行政・事業者との協議 (does not
    # count), approved (counted), awaiting review, missing
    cells = [cell.split("<")[0] for cell in row.split("<td>")[1:]]
    assert cells[1:] == ["3", "4", "0", "0", "1.5", "4", "2", "6"]
    assert "この講座では対象外" in html


# --- Query budgets ---------------------------------------------------------------------------
QUERIES_QUEUE = 16


def _many_entries(course, size):
    cats = categories()
    enrollments = [enrolled(course, TraineeFactory(verified=False)) for _ in range(3)]
    today = timezone.localdate()
    FieldworkEntry.objects.bulk_create(
        FieldworkEntry(
            enrollment=enrollments[n % 3],
            date=today - datetime.timedelta(days=n % 50),
            hours=Decimal("0.25"),
            prefecture="nagano",
            municipality="上田市",
            site="公民館",
            category=cats["hearing"],
            activity="聞き取り",
            learned="学び",
            status="submitted",
            submitted_at=timezone.now(),
        )
        for n in range(size)
    )
    return enrollments


@pytest.mark.parametrize("size", [10, 500])
def test_the_queue_costs_the_same_at_10_and_500_entries(
    client, instructor, course, django_assert_num_queries, size
):
    group = cohort(course, name="第1期")
    enrollments = _many_entries(course, size)
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(cohort=group)
    client.force_login(instructor)
    client.get(QUEUE)
    with django_assert_num_queries(QUERIES_QUEUE):
        response = client.get(QUEUE, {"course": course.pk, "status": "submitted"})
    assert response.status_code == 200
    assert response.content.decode().count("/admin/fieldwork/review/") == min(size, 50)
    assert Cohort.objects.count() == 1


def test_instructors_keep_the_activity_categories_trainees_cannot(client, instructor):
    categories()
    client.force_login(instructor)
    url = "/admin/snippets/fieldwork/activitycategory/"
    response = client.get(url)
    assert response.status_code == 200 and "住民ヒアリング" in response.content.decode()
    response = client.post(
        f"{url}add/",
        {"name": "移動支援", "name_en": "Mobility support", "slug": "mobility", "sort_order": 60},
    )
    assert response.status_code == 302
    menu = client.get("/admin/").content.decode()
    assert "/admin/fieldwork/" in menu and "/admin/fieldwork-requirements/" in menu
    client.force_login(TraineeFactory())
    assert client.get(url).status_code == 302  # no admin access at all

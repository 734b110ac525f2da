"""The trainee's pages: writing without JavaScript, autosave with versions, the list and its
query budget, the requirement on the course page, the dashboard and in a lesson."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from lms.courses.models import LessonPage
from lms.fieldwork.models import FieldworkEntry
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import course_tree, lessons_of
from tests.factories.fieldwork import categories, enrolled, entry, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="fw")


@pytest.fixture
def enrollment(course, client):
    enrollment = enrolled(course)
    client.force_login(enrollment.user)
    return enrollment


def _form(**overrides):
    cats = categories()
    data = {
        "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "hours": "2.25",
        "prefecture": "tokushima",
        "municipality": "神山町",
        "site": "神山町役場",
        "category": cats["talks"].pk,
        "activity": "移住者の住まいについて協議",
        "learned": "空き家の所有者との信頼関係が鍵",
        "next_steps": "所有者への聞き取り",
        "supervisor_name": "",
        "supervisor_email": "",
        "supervisor_role": "",
    }
    data.update(overrides)
    return data


def test_without_javascript_save_a_draft_then_submit(client, course, enrollment):
    new_url = f"/fieldwork/courses/{course.pk}/new/"
    assert client.get(new_url).status_code == 200
    response = client.post(new_url, {**_form(), "action": "save"})
    draft = FieldworkEntry.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/entries/{draft.pk}/edit/")
    assert draft.status == "draft" and draft.hours == Decimal("2.25")

    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        response.url,
        {**_form(date=future, hours="1.1"), "action": "submit", "version": draft.version},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "未来の日付は入力できません" in html
    assert "15分（0.25時間）単位" in html
    assert "移住者の住まいについて協議" in html  # what was typed is still in the form
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.date != datetime.date.fromisoformat(future)

    response = client.post(
        f"/fieldwork/entries/{draft.pk}/edit/",
        {**_form(), "action": "submit", "version": draft.version},
    )
    assert response.status_code == 302 and response.url.endswith(f"/entries/{draft.pk}/")
    draft.refresh_from_db()
    assert draft.status == "submitted"
    html = client.get(response.url).content.decode()
    assert "確認待ち" in html
    assert client.get(f"/fieldwork/entries/{draft.pk}/edit/").status_code == 302  # locked


def test_a_second_entry_that_breaks_the_24_hours_says_so(client, course, enrollment):
    day = timezone.localdate() - datetime.timedelta(days=4)
    entry(enrollment, status="submitted", date=day, hours=Decimal("22"))
    response = client.post(
        f"/fieldwork/courses/{course.pk}/new/",
        {**_form(date=day.isoformat(), hours="3"), "action": "submit"},
    )
    assert response.status_code == 400
    assert "24時間を超えます" in response.content.decode()
    assert FieldworkEntry.objects.filter(status="draft").count() == 1  # kept as a draft


def test_autosave_creates_the_draft_then_refuses_an_older_page(client, course, enrollment):
    response = client.post(
        f"/fieldwork/courses/{course.pk}/autosave/", {"activity": "書きかけ", "version": ""}
    )
    data = response.json()
    assert response.status_code == 200 and data["ok"]
    draft = FieldworkEntry.objects.get(pk=data["id"])
    assert draft.activity == "書きかけ" and data["version"] == draft.version
    assert data["edit_url"] == f"/fieldwork/entries/{draft.pk}/edit/"

    url = data["autosave_url"]
    response = client.post(url, {"activity": "続き", "version": data["version"]})
    newer = response.json()
    assert newer["version"] == data["version"] + 1
    response = client.post(url, {"activity": "古いタブから", "version": data["version"]})
    assert response.status_code == 409
    assert "別のページまたは別の端末" in response.json()["message"]
    assert FieldworkEntry.objects.get(pk=draft.pk).activity == "続き"


def test_autosave_keeps_the_valid_fields_and_reports_the_others(client, course, enrollment):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        f"/fieldwork/courses/{course.pk}/autosave/",
        {"activity": "活動", "hours": "0.3", "date": tomorrow, "municipality": "神山町"},
    )
    data = response.json()
    assert data["ok"]
    assert "15分（0.25時間）単位" in data["errors"]["hours"][0]
    assert "未来の日付" in data["errors"]["date"][0]
    draft = FieldworkEntry.objects.get()
    assert (draft.activity, draft.municipality, draft.hours, draft.date) == (
        "活動",
        "神山町",
        None,
        None,
    )


def test_correction_through_the_page(client, enrollment):
    confirmed = entry(enrollment, status="submitted", supervisor_status="confirmed")
    html = client.get(f"/fieldwork/entries/{confirmed.pk}/").content.decode()
    assert "修正を追加する" in html
    response = client.post(
        f"/fieldwork/entries/{confirmed.pk}/correction/", {"reason": "日付の誤り"}
    )
    assert response.url.endswith(f"/entries/{confirmed.pk}/edit/")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.supervisor_status) == ("draft", "none")


def test_the_summary_shows_progress_categories_and_the_map(client, course, enrollment):
    requirement(course, hours="10")
    entry(enrollment, status="approved", hours=Decimal("4"), prefecture="kochi")
    entry(enrollment, status="approved", hours=Decimal("1"), category="talks", days_ago=2)
    html = client.get(f"/fieldwork/courses/{course.pk}/").content.decode()
    assert 'value="40"' in html  # 4 of 10 counted hours
    assert "行政・事業者との協議" in html and "この講座では対象外" in html
    assert "<svg" in html and "高知県" in html


# --- Query budgets ---------------------------------------------------------------------------
QUERIES_TRAINEE_LIST = 7


@pytest.mark.parametrize("size", [10, 500])
def test_the_trainees_list_costs_the_same_at_10_and_500_entries(
    client, course, enrollment, django_assert_num_queries, size
):
    requirement(course)
    cats = categories()
    today = timezone.localdate()
    FieldworkEntry.objects.bulk_create(
        FieldworkEntry(
            enrollment=enrollment,
            date=today - datetime.timedelta(days=n % 50),
            hours=Decimal("0.25"),
            prefecture=("nagano", "kochi", "hokkaido")[n % 3],
            category=cats["hearing"],
            status=("approved", "submitted", "draft")[n % 3],
            submitted_at=timezone.now(),
        )
        for n in range(size)
    )
    url = f"/fieldwork/courses/{course.pk}/"
    client.get(url)
    with django_assert_num_queries(QUERIES_TRAINEE_LIST):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/fieldwork/entries/") == size


# --- On other apps' pages ---------------------------------------------------------------------
def test_course_page_and_dashboard_show_the_requirement_and_progress(client, course, enrollment):
    requirement(course, hours="8", deadline=datetime.date(2027, 3, 31))
    entry(enrollment, status="approved", hours=Decimal("2"))
    for url in (course.url, "/learn/mypage/"):
        html = client.get(url).content.decode()
        assert "フィールドワーク要件" in html, url
        assert "住民ヒアリング" in html and "2027年3月31日" in html
        assert 'value="25"' in html  # 2 of 8 hours
    other = TraineeFactory()
    client.force_login(other)
    html = client.get(course.url).content.decode()
    assert "フィールドワーク要件" in html and 'aria-label="フィールドワークの進み具合"' not in html


def test_the_lesson_block_shows_the_requirement_and_the_trainees_progress(
    client, course, enrollment
):
    requirement(course, hours="8")
    entry(enrollment, status="approved", hours=Decimal("4"))
    lesson = lessons_of(course)[0]
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = json.dumps(
        [
            {
                "type": "fieldwork_assignment",
                "value": {"title": "地域の声を聴く", "instructions": "<p>住民3名に話を聞く</p>"},
            }
        ]
    )
    lesson.save_revision().publish()
    html = client.get(lesson.url).content.decode()
    assert "地域の声を聴く" in html and "住民3名に話を聞く" in html
    assert 'value="50"' in html
    assert f"/fieldwork/courses/{course.pk}/new/" in html


def test_the_pages_work_in_english(client, course, enrollment):
    requirement(course, hours="8")
    entry(enrollment, status="approved", hours=Decimal("2"), prefecture="kochi")
    html = client.get(f"/en/fieldwork/courses/{course.pk}/").content.decode()
    assert 'lang="en"' in html and "Kochi" in html and "Hearing residents" in html
    response = client.get(f"/en/fieldwork/courses/{course.pk}/new/")
    assert response.status_code == 200 and 'lang="en"' in response.content.decode()

"""The gradebook in the admin: who sees what (every URL), the page, its exports."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.factories.accounts import TraineeFactory
from tests.reports.gradebook_fixtures import small

__all__ = ["small"]


@pytest.fixture
def data(small, db):
    return small


def _urls(course):
    base = f"/admin/reports/gradebook/{course.pk}/"
    return [base, f"{base}export/csv/", f"{base}export/xlsx/"]


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response):
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def ja(message):
    """``message`` as the Japanese admin shows it (English until its translation lands)."""
    with translation.override("ja"):
        return gettext(message)


def _emails_on_page(html):
    return re.findall(r'<div class="w-text-14">([a-z0-9.-]+@example\.com)</div>', html)


# --- Who sees what ---------------------------------------------------------------------------
def test_anonymous_is_sent_to_the_login_on_every_url(client, data):
    for url in ["/admin/reports/gradebook/", *_urls(data["course"])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_a_trainee_gets_nothing_on_every_url(client, data):
    client.force_login(data["enrollments"]["ueda"].user)
    for url in ["/admin/reports/gradebook/", *_urls(data["course"])]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "上田" not in response.content.decode() if response.status_code == 403 else True


def _editor():
    """A user who may enter the admin but is no instructor."""
    from django.contrib.auth.models import Permission

    editor = TraineeFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return editor


def test_an_admin_user_who_is_no_instructor_is_refused(client, data):
    client.force_login(_editor())
    for url in ["/admin/reports/gradebook/", *_urls(data["course"])]:
        response = client.get(url)
        # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url


def test_another_instructor_sees_only_their_course_and_gets_404_on_every_url(client, data):
    client.force_login(data["other_teacher"])
    index = client.get("/admin/reports/gradebook/").content.decode()
    assert "別の講座" in index and "地域づくり実践講座" not in index
    for url in _urls(data["course"]):
        assert client.get(url).status_code == 404, url
    # Their own course answers, and lists only its trainee.
    for url in _urls(data["other"]):
        assert client.get(url).status_code == 200, url
    html = client.get(_urls(data["other"])[0]).content.decode()
    assert _emails_on_page(html) == ["kimura@example.com"]


def test_an_instructor_of_one_cohort_sees_only_that_cohort(client, data):
    client.force_login(data["cohort_teacher"])
    index = client.get("/admin/reports/gradebook/").content.decode()
    assert "地域づくり実践講座" in index and "第2期" in index and "第1期" not in index
    page, csv_url, xlsx_url = _urls(data["course"])
    assert _emails_on_page(client.get(page).content.decode()) == ["ono@example.com"]
    assert [row[2] for row in _csv(client.get(csv_url))[1:]] == ["ono@example.com"]
    assert [row[2] for row in _xlsx(client.get(xlsx_url))[1:]] == ["ono@example.com"]
    # Asking for the other cohort by its id is refused with a message, not obeyed.
    first = data["cohorts"][0]
    html = client.get(f"{page}?cohort={first.pk}").content.decode()
    assert _emails_on_page(html) == ["ono@example.com"]
    assert 'role="alert"' in html


def test_the_reports_menu_offers_the_gradebook_to_instructors_only(client, data):
    menu_link = '"/admin/reports/gradebook/"'  # in the sidebar's JSON
    client.force_login(data["teacher"])
    assert menu_link in client.get("/admin/").content.decode()
    superuser = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(superuser)
    assert menu_link in client.get("/admin/").content.decode()
    client.force_login(_editor())
    assert menu_link not in client.get("/admin/").content.decode()


def test_an_unknown_export_format_is_404(client, data):
    client.force_login(data["teacher"])
    assert (
        client.get(f"/admin/reports/gradebook/{data['course'].pk}/export/pdf/").status_code == 404
    )


# --- The page -----------------------------------------------------------------------------------
def test_the_page_shows_the_figures_and_links(client, data):
    client.force_login(data["teacher"])
    page = _urls(data["course"])[0]
    html = client.get(page).content.decode()
    assert _emails_on_page(html) == [
        "aoki@example.com",
        "inoue@example.com",
        "ueda@example.com",
        "endo@example.com",
        "ono@example.com",
    ]
    ueda = data["enrollments"]["ueda"]
    assert f'href="/admin/enrollments/history/{ueda.pk}/"' in html
    certificate = ueda.certificates.get()
    assert f'href="/admin/certificates/{certificate.pk}/"' in html
    quiz_a = data["quizzes"][0]
    assert f'href="/admin/quiz-attempts/?quiz={quiz_a.pk}&amp;q=ueda%40example.com"' in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    # Approved hours against the requirement, the hours linking to the trainee's entries.
    fieldwork = f'href="/admin/fieldwork/?course={data["course"].pk}&amp;trainee={ueda.user_id}"'
    assert f"{fieldwork}>5</a> / 5" in html
    assert "2.5</a> / 5" in html
    response = client.get(f"/admin/fieldwork/?course={data['course'].pk}&trainee={ueda.user_id}")
    assert response.status_code == 200
    assert (
        f'href="/admin/quiz-attempts/?quiz={quiz_a.pk}&amp;q=ueda%40example.com">100%</a>' in html
    )
    assert "E+" not in html  # 100.00 is "100", never "1E+2"
    # The export links carry the filters.
    html = client.get(f"{page}?state=ready&q=上田&sort=-progress").content.decode()
    assert _emails_on_page(html) == ["ueda@example.com"]
    assert (
        f'href="/admin/reports/gradebook/{data["course"].pk}/export/csv/'
        '?state=ready&amp;q=%E4%B8%8A%E7%94%B0&amp;sort=-progress"' in html
    )


def test_bad_filters_are_explained_and_the_rest_still_applies(client, data):
    client.force_login(data["teacher"])
    page = _urls(data["course"])[0]
    html = client.get(f"{page}?cohort=abc&state=ready&q={'x' * 101}").content.decode()
    alert = html[html.index('role="alert"') : html.index("</div>", html.index('role="alert"'))]
    assert alert.count("<li>") == 2
    assert ja("Cohort") in alert and ja("Name, reading (kana) or e-mail") in alert
    assert _emails_on_page(html) == ["ueda@example.com"]  # the standing filter still applies


def test_the_page_paginates_and_sorts(client, data, monkeypatch):
    from lms.reports.gradebook import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    client.force_login(data["teacher"])
    page = _urls(data["course"])[0]
    first = client.get(f"{page}?sort=-hours").content.decode()
    assert _emails_on_page(first) == ["ono@example.com", "ueda@example.com"]
    assert 'aria-sort="descending"' in first
    assert 'href="?sort=-hours&amp;p=2"' in first
    second = client.get(f"{page}?sort=-hours&p=2").content.decode()
    assert _emails_on_page(second) == ["inoue@example.com", "aoki@example.com"]


# --- Exports ------------------------------------------------------------------------------------
def test_csv_and_xlsx_have_the_same_columns_and_every_row(client, data, monkeypatch):
    from lms.reports.gradebook import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)  # the exports are not paginated
    client.force_login(data["teacher"])
    _page, csv_url, xlsx_url = _urls(data["course"])
    csv_response = client.get(csv_url)
    xlsx_response = client.get(xlsx_url)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = f'attachment; filename="gradebook-course{data["course"].pk}-'
    assert csv_response["Content-Disposition"].startswith(disposition)
    assert xlsx_response["Content-Disposition"].startswith(disposition)
    rows = _csv(csv_response)
    sheet = _xlsx(xlsx_response)
    assert rows[0] == sheet[0]

    def quiz(title):
        return [
            ja("%(quiz)s: best score (%%)") % {"quiz": title},
            ja("%(quiz)s: passed") % {"quiz": title},
        ]

    assert rows[0] == [
        ja("Trainee"),
        ja("Reading (kana)"),
        ja("E-mail"),
        ja("Cohort"),
        ja("Standing"),
        ja("Progress (%)"),
        ja("Lessons completed"),
        ja("Required lessons"),
        *quiz("任意テストC"),
        *quiz("確認テストA"),
        *quiz("確認テストB"),
        ja("Approved fieldwork hours"),
        ja("Required fieldwork hours"),
        ja("Certificate"),
        ja("Last activity"),
    ]
    assert (
        [row[2] for row in rows[1:]]
        == [row[2] for row in sheet[1:]]
        == [
            "aoki@example.com",
            "inoue@example.com",
            "ueda@example.com",
            "endo@example.com",
            "ono@example.com",
        ]
    )
    inoue = rows[2]
    assert inoue[:16] == [
        "井上 花子",
        "いのうえ はなこ",
        "inoue@example.com",
        "第1期",
        ja("Under way"),
        "33",
        "1",
        "3",
        "0",
        ja("Not passed"),
        "100",
        ja("Passed"),
        "",
        "",
        "2.5",
        "5",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", inoue[17])
    ueda_csv, ueda_xlsx = rows[3], sheet[3]
    assert ueda_csv[4] == ja("Ready for certificate") and ueda_csv[16] == ja("Revoked")
    assert ueda_xlsx[5] == 100 and Decimal(str(ueda_xlsx[14])) == Decimal("5")
    assert ueda_xlsx[16] == ja("Revoked")
    assert rows[1][9] == "" and rows[1][17] == ""  # 青木: no attempt, no activity


def test_exports_apply_the_filters(client, data):
    client.force_login(data["teacher"])
    _page, csv_url, xlsx_url = _urls(data["course"])
    second = data["cohorts"][1]
    assert [r[2] for r in _csv(client.get(f"{csv_url}?cohort={second.pk}"))[1:]] == [
        "ono@example.com"
    ]
    assert [r[2] for r in _xlsx(client.get(f"{xlsx_url}?state=not_started"))[1:]] == [
        "aoki@example.com"
    ]
    assert [r[2] for r in _csv(client.get(f"{csv_url}?q=ｴﾝﾄﾞｳ"))[1:]] == ["endo@example.com"]


def test_a_name_written_as_a_formula_stays_text_in_both_exports(client, data):
    user = data["enrollments"]["aoki"].user
    get_user_model().objects.filter(pk=user.pk).update(last_name="=HYPERLINK(1)")
    client.force_login(data["teacher"])
    _page, csv_url, xlsx_url = _urls(data["course"])
    rows = _csv(client.get(csv_url))
    assert [row[0] for row in rows[1:] if "HYPERLINK" in row[0]] == ["'=HYPERLINK(1) 一郎"]
    content = b"".join(client.get(xlsx_url).streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for c in sheet["A"] if "HYPERLINK" in str(c.value)]
    assert [(c.value, c.data_type) for c in cells] == [("=HYPERLINK(1) 一郎", "s")]
    last_activity = sheet.cell(row=3, column=18)  # 井上's last activity: a date, formatted
    assert last_activity.is_date and last_activity.number_format == "yyyy-mm-dd hh:mm"


def test_a_superuser_sees_every_course_and_every_trainee(client, data):
    superuser = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(superuser)
    index = client.get("/admin/reports/gradebook/").content.decode()
    assert "別の講座" in index and "地域づくり実践講座" in index
    for url in [*_urls(data["course"]), *_urls(data["other"])]:
        assert client.get(url).status_code == 200, url
    html = client.get(_urls(data["course"])[0]).content.decode()
    assert len(_emails_on_page(html)) == 5

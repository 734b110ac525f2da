"""The cohort dashboard in the admin: who may open what, what the page says, its query budget."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from wagtail.users.models import UserProfile

from lms.assessments.models import Attempt
from lms.certificates.models import Certificate
from lms.courses.models import CourseInstructor, Enrollment, LessonProgress
from lms.fieldwork.models import FieldworkEntry
from lms.reports.cohorts.views import DashboardView
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory, UserFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree, lessons_of
from tests.reports.test_cohort_selectors import APPROVED, TODAY, at, world  # noqa: F401

pytestmark = pytest.mark.django_db
INDEX = "/admin/reports/cohorts/"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(DashboardView, "get_today", lambda self: TODAY)


@pytest.fixture
def owner(world):  # noqa: F811
    user = InstructorFactory()
    CourseInstructor.objects.create(page=world["course"], user=user)
    return user


def _urls(world):  # noqa: F811
    return [
        INDEX,
        f"{INDEX}{world['cohort'].pk}/",
        f"{INDEX}course/{world['course'].pk}/",
    ]


def test_anonymous_visitors_are_sent_to_the_login_page_on_every_url(client, world):  # noqa: F811
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_trainees_are_refused_on_every_url(client, world):  # noqa: F811
    client.force_login(world["b"].user)
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "受講者" not in response.content.decode()
        assert not response["Location"].startswith(INDEX)


def test_another_instructor_sees_none_of_this_course(client, world, site_tree):  # noqa: F811
    stranger = InstructorFactory()
    own = course_tree(site_tree, slug="own-course", title="自分の講座")
    CourseInstructor.objects.create(page=own, user=stranger)
    make_cohort(own, name="自分の期")
    client.force_login(stranger)
    index = client.get(INDEX)
    assert index.status_code == 200
    html = index.content.decode()
    assert "自分の講座" in html and "自分の期" in html
    assert world["course"].title not in html
    assert f"{INDEX}{world['cohort'].pk}/" not in html
    for url in _urls(world)[1:]:
        assert client.get(url).status_code == 404, url


def test_a_superuser_may_open_every_dashboard(client, world):  # noqa: F811
    admin = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(admin)
    for url in _urls(world) + [f"{INDEX}{world['other'].pk}/"]:
        assert client.get(url).status_code == 200, url


def test_a_cohort_instructor_sees_their_cohort_only(client, world):  # noqa: F811
    """Named on one cohort only: that cohort's dashboard; not the course's other cohorts
    nor the whole course (the enrollment admin's and the gradebook's rule)."""
    teacher = InstructorFactory()
    world["cohort"].instructors.add(teacher)
    client.force_login(teacher)
    assert client.get(f"{INDEX}{world['cohort'].pk}/").status_code == 200
    assert client.get(f"{INDEX}{world['other'].pk}/").status_code == 404
    assert client.get(f"{INDEX}course/{world['course'].pk}/").status_code == 404
    index = client.get(INDEX).content.decode()
    assert f"{INDEX}{world['cohort'].pk}/" in index
    assert f"{INDEX}{world['other'].pk}/" not in index
    assert f"{INDEX}course/{world['course'].pk}/" not in index


def test_the_reports_menu_offers_the_dashboards_to_instructors_only(client, world, owner):  # noqa: F811
    client.force_login(owner)
    assert INDEX in client.get("/admin/").content.decode()
    editor = UserFactory()  # may use the admin, teaches nothing
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert INDEX not in home.content.decode()
    assert client.get(INDEX).status_code == 302  # an admin user who teaches nothing


def test_the_index_lists_the_course_and_its_cohorts_with_counts(client, world, owner):  # noqa: F811
    client.force_login(owner)
    html = client.get(INDEX).content.decode()
    assert f'href="{INDEX}{world["cohort"].pk}/"' in html
    assert f'href="{INDEX}course/{world["course"].pk}/"' in html
    assert "2026年11月2日 – 2026年12月1日" in html  # Japanese dates


CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def _cells(html, caption):
    """The text of each cell of the table whose caption ends with ``caption``, row by row."""
    table = html.split(caption, 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in CELL.findall(r)] for r in rows]


def test_the_dashboard_shows_the_charts_and_their_tables(client, world, owner):  # noqa: F811
    profile = UserProfile.get_for_user(owner)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(owner)
    response = client.get(f"{INDEX}{world['cohort'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') >= 2
    assert 'aria-labelledby="funnel-title funnel-desc"' in html
    assert 'aria-labelledby="weekly-title weekly-desc"' in html
    # The funnel's table alternative, with its figures (count, share of enrolled).
    assert "Figures as of" in html and "Nov. 26, 2026" in html
    funnel = _cells(html, "Completion funnel as a table</caption>")
    assert [row[1:] for row in funnel[1:]] == [
        ["5", "100%"],
        ["4", "80%"],
        ["3", "60%"],
        ["2", "40%"],
        ["2", "40%"],
        ["1", "20%"],
        ["1", "20%"],
    ]
    weekly = _cells(html, "Weekly activity as a table</caption>")
    assert [row[1:] for row in weekly[1:]] == [
        ["6", "0", "0"],
        ["3", "1", "0"],
        ["0", "0", "1"],
        ["2", "1", "0"],
    ]
    assert "(2026-W45)" in html and "(2026-W48)" in html
    # Trainees at risk: a link to each enrollment's admin page, in order.
    links = re.findall(r'href="/admin/enrollments/history/(\d+)/"', html)
    assert [int(pk) for pk in links] == [world[k].pk for k in ("e", "c", "d", "b")]
    assert '<th scope="col">' in html
    assert "<caption" in html


def test_the_page_is_japanese_first_with_japanese_dates(client, world, owner):  # noqa: F811
    client.force_login(owner)
    html = client.get(f"{INDEX}{world['cohort'].pk}/").content.decode()
    assert '<html lang="ja"' in html or 'lang="ja"' in html
    assert "2026年12月1日" in html  # the deadline in the reasons
    assert "2026年11月26日" in html  # figures as of


def test_names_are_escaped(client, world, owner):  # noqa: F811
    user = world["e"].user
    user.last_name = "<script>alert(1)</script>"
    user.save()
    client.force_login(owner)
    html = client.get(f"{INDEX}{world['cohort'].pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Query budget: the same at 5 and 60 trainees -------------------------------------------------
#: 10 for the admin (session, user, permissions, menus), 13 for the cohort and its figures.
QUERIES_DASHBOARD = 23
QUERIES_COURSE = 23  # the course instead of the cohort
QUERIES_INDEX = 12  # the admin, the courses, the cohorts


def _cohort_of(site_tree, size):
    course = course_tree(site_tree, slug=f"size-{size}", lessons=4)
    lessons = lessons_of(course)
    quiz = qf.make_quiz(course)
    ff.requirement(course, hours="3")
    category = ff.categories()["hearing"]
    group = make_cohort(
        course, starts_on=datetime.date(2026, 11, 2), ends_on=datetime.date(2026, 12, 1)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"t{size}-{n}@example.com", last_name=f"受講者{n}", first_name="花子")
        for n in range(size)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            user=user,
            course=course,
            cohort=group,
            status="completed" if n % 5 == 0 else "active",
            created_at=APPROVED,
            status_changed_at=APPROVED,
        )
        for n, user in enumerate(users)
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(enrollment=e, lesson=lesson, completed_at=at(3 + i * 5))
        for n, e in enumerate(enrollments)
        for i, lesson in enumerate(lessons[: n % 5])
    )
    Attempt.objects.bulk_create(
        Attempt(
            quiz=quiz,
            user=e.user,
            enrollment=e,
            number=1,
            status="graded",
            submitted_at=at(12),
            max_score=Decimal(1),
            passed=n % 2 == 0,
        )
        for n, e in enumerate(enrollments)
    )
    FieldworkEntry.objects.bulk_create(
        FieldworkEntry(
            enrollment=e,
            status="approved",
            date=datetime.date(2026, 11, 15),
            hours=Decimal(3),
            category=category,
            submitted_at=at(16),
        )
        for n, e in enumerate(enrollments)
        if n % 3 == 0
    )
    Certificate.objects.bulk_create(
        Certificate(
            enrollment=e,
            serial=f"RPA-{size}-{n:05d}",
            year=2026,
            sequence=n + 1,
            status="issued",
            name=e.user.last_name,
            course_title=course.title,
            completed_on=datetime.date(2026, 11, 20),
            language="ja",
            pdf_file=f"certificates/{size}-{n}.pdf",
        )
        for n, e in enumerate(enrollments)
        if n % 5 == 0
    )
    instructor = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=instructor)
    return group, instructor


@pytest.mark.parametrize("size", [5, 60])
def test_the_dashboard_costs_the_same_at_5_and_60_trainees(
    client, site_tree, django_assert_num_queries, size
):
    group, instructor = _cohort_of(site_tree, size)
    client.force_login(instructor)
    url = f"{INDEX}{group.pk}/"
    client.get(url)  # warm the per-process caches (menus, site root)
    with django_assert_num_queries(QUERIES_DASHBOARD):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # At risk: every active trainee (n % 5 != 0) who misses something as the cohort ends in
    # five days, that is all but those with 4 lessons (n % 5 == 4), a pass (n even) and
    # fieldwork (n % 3 == 0), who were active 8 days ago.
    expected = sum(1 for n in range(size) if n % 5 and not (n % 5 == 4 and n % 6 == 0))
    assert len(re.findall(r'href="/admin/enrollments/history/\d+/"', html)) == expected


@pytest.mark.parametrize("size", [5, 60])
def test_the_course_dashboard_and_the_index_cost_the_same_at_5_and_60(
    client, site_tree, django_assert_num_queries, size
):
    group, instructor = _cohort_of(site_tree, size)
    client.force_login(instructor)
    url = f"{INDEX}course/{group.course_id}/"
    client.get(url)
    with django_assert_num_queries(QUERIES_COURSE):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(QUERIES_INDEX):
        response = client.get(INDEX)
    assert f"<td>{size}</td>" in response.content.decode()


def test_the_demo_instructor_opens_every_dashboard_of_the_demo(client, demo_site):
    instructor = get_user_model().objects.get(email="instructor@example.com")
    client.force_login(instructor)
    index = client.get(INDEX).content.decode()
    urls = sorted(set(re.findall(r'href="(/admin/reports/cohorts/(?:course/)?\d+/)"', index)))
    assert any("/course/" in url for url in urls)
    assert any("/course/" not in url for url in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'role="img"' in response.content.decode(), url


def test_unknown_ids_are_not_found_and_a_new_instructor_is_told_why_the_list_is_empty(client):
    client.force_login(InstructorFactory())
    assert client.get(f"{INDEX}987654/").status_code == 404
    assert client.get(f"{INDEX}course/987654/").status_code == 404
    profile = UserProfile.get_for_user(get_user_model().objects.get())
    profile.preferred_language = "en"
    profile.save()
    assert "You do not teach any course yet." in client.get(INDEX).content.decode()

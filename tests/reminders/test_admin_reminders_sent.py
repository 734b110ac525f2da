"""Reports → Reminders sent: who sees which rows, the filters, the query budget."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms.courses.models import CourseInstructor
from lms.reminders.models import ReminderSent
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree

from .conftest import DAY, enrolled

pytestmark = pytest.mark.django_db
Kind = ReminderSent.Kind
URL = "/admin/reports/reminders/"
RESULTS = "/admin/reports/reminders/results/"


def ja(message):
    with translation.override("ja"):
        return gettext(message)


def sent(enrollment, kind, period):
    return ReminderSent.objects.create(enrollment=enrollment, kind=kind, period=period)


@pytest.fixture
def world(site_tree):
    """Course 空き家 with cohorts 第1期 and 第2期, course サロン (self-paced); one reminder
    for one trainee in each, the trainees named after where they are."""
    today = timezone.localdate()
    akiya = course_tree(site_tree, slug="akiya", title="空き家活用講座", lessons=1)
    salon = course_tree(site_tree, slug="salon", title="共生サロン講座", lessons=1)
    first = cohort(akiya, name="第1期", starts_on=today - 60 * DAY, ends_on=today + 5 * DAY)
    second = cohort(akiya, name="第2期", starts_on=today - 60 * DAY, ends_on=today + 60 * DAY)
    people = {
        name: TraineeFactory(last_name=name, first_name="さん")
        for name in ("一期生", "二期生", "自習生")
    }
    rows = {
        "first": sent(
            enrolled(akiya, user=people["一期生"], group=first), Kind.DEADLINE, first.ends_on
        ),
        "second": sent(
            enrolled(akiya, user=people["二期生"], group=second), Kind.INACTIVE, today - 20 * DAY
        ),
        "salon": sent(enrolled(salon, user=people["自習生"]), Kind.FIELDWORK, today + 3 * DAY),
    }
    return {"akiya": akiya, "salon": salon, "first": first, "second": second, "rows": rows}


def names(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("一期生", "二期生", "自習生") if name in html}


def instructor_of(course):
    user = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=user)
    return user


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in (URL, RESULTS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_trainees_are_refused(client, world):
    trainee = world["rows"]["first"].enrollment.user
    client.force_login(trainee)
    for url in (URL, RESULTS):
        response = client.get(url)
        assert response.status_code == 302 and not response["Location"].startswith(URL)
        assert names(response) == set()


def test_an_admin_user_who_teaches_nothing_is_refused_and_not_offered_the_report(client, world):
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert URL not in client.get("/admin/").content.decode()
    response = client.get(URL, follow=True)
    assert response.redirect_chain == [("/admin/", 302)]
    assert names(response) == set()


def test_a_superuser_sees_every_reminder_with_its_columns(client, world):
    admin = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(admin)

    response = client.get(URL)

    assert response.status_code == 200
    assert names(response) == {"一期生", "二期生", "自習生"}
    html = response.content.decode()
    for text in ("空き家活用講座", "共生サロン講座", "第1期", "第2期"):
        assert text in html
    for label in ("Cohort ends soon", "No recent activity", "Fieldwork deadline soon"):
        assert ja(label) in html
    for label in ("sent at", "trainee", "course", "cohort", "kind", "period"):
        assert ja(label) in html
    ends_on = world["first"].ends_on
    period = f"{ends_on.year}年{ends_on.month}月{ends_on.day}日"
    assert re.search(rf"<td >\s*{period}\s*</td>", html)  # the period, as a date


def test_an_instructor_sees_the_reminders_of_their_courses_only(client, world):
    client.force_login(instructor_of(world["akiya"]))
    assert names(client.get(URL)) == {"一期生", "二期生"}
    assert names(client.get(RESULTS)) == {"一期生", "二期生"}

    client.force_login(instructor_of(world["salon"]))
    assert names(client.get(URL)) == {"自習生"}
    # Asking for another course's rows by its id shows nothing of it.
    assert names(client.get(f"{URL}?course={world['akiya'].pk}")) == {"自習生"}


def test_an_instructor_of_one_cohort_sees_that_cohorts_reminders_only(client, world):
    teacher = InstructorFactory()
    world["first"].instructors.add(teacher)
    client.force_login(teacher)

    assert names(client.get(URL)) == {"一期生"}
    assert names(client.get(f"{RESULTS}?course={world['akiya'].pk}")) == {"一期生"}


def test_filters_by_course_and_by_kind(client, world):
    admin = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(admin)

    assert names(client.get(f"{URL}?course={world['salon'].pk}")) == {"自習生"}
    assert names(client.get(f"{URL}?kind=inactive")) == {"二期生"}
    assert names(client.get(f"{RESULTS}?course={world['akiya'].pk}&kind=deadline")) == {"一期生"}
    assert names(client.get(f"{URL}?course={world['salon'].pk}&kind=deadline")) == set()


def test_the_reports_menu_offers_it_to_instructors(client, world):
    client.force_login(instructor_of(world["akiya"]))
    home = client.get("/admin/").content.decode()
    # The sidebar's items are JSON in the page, non-ASCII letters escaped.
    assert URL in home and json.dumps(ja("Reminders sent")) in home


def test_nothing_on_the_page_can_change_a_reminder(client, world):
    admin = get_user_model().objects.create_superuser(email="root@example.com", password="x")
    client.force_login(admin)
    html = client.get(URL).content.decode()
    assert '<form method="post"' not in html and "/edit/" not in html and "/delete/" not in html
    assert client.post(URL).status_code == 405


QUERIES = 13


@pytest.mark.parametrize("size", [10, 60])
def test_the_listing_costs_the_same_at_two_sizes(
    client, site_tree, django_assert_num_queries, size
):
    today = timezone.localdate()
    course = course_tree(site_tree, slug="big", title="大講座", lessons=1)
    group = cohort(course, starts_on=today - 60 * DAY, ends_on=today + 5 * DAY)
    for n in range(size):
        enrollment = enrolled(course, group=group if n % 2 else None)
        sent(enrollment, Kind.INACTIVE, today - datetime.timedelta(days=n + 20))
    teacher = instructor_of(course)
    client.force_login(teacher)
    client.get(URL)  # warm the per-process caches (menus, site root)

    with django_assert_num_queries(QUERIES):
        response = client.get(URL)

    assert response.status_code == 200
    listing = response.content.decode().split('<table class="listing">', 1)[1]
    rows = listing.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
    assert rows == min(size, 50)  # 50 a page

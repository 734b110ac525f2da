"""Two courses, each with its instructor; a superuser; helpers to read Wagtail's reports."""

import html
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from lms.courses.models import CourseInstructor
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import course_tree

REPORT = "/admin/reports/site-history/"


def ja(message: str) -> str:
    """What a Japanese admin sees for ``message`` (English until the catalogue has it)."""
    with translation.override("ja"):
        return gettext(message)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def report(client, user, **params) -> str:
    """The site history report as ``user`` sees it (the page with its filters)."""
    client.force_login(user)
    response = client.get(REPORT, params)
    assert response.status_code == 200, response.status_code
    return text_of(response)


def report_rows(client, user) -> str:
    """Only the rows of the report (its results), without the filter form."""
    text = report(client, user)
    match = re.search(r"<table class=\"listing\">.*?</table>", text, re.S)
    return match.group(0) if match else ""


def filter_values(text: str, name: str) -> set[str]:
    """The values offered by the report's filter ``name`` (checkboxes or a select)."""
    values = set(re.findall(rf'name="{name}" value="([^"]*)"', text))
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', text, re.S)
    if select:
        values |= set(re.findall(r'<option value="([^"]+)"', select.group(1)))
    return values


@pytest.fixture
def world(site_tree):
    """Course A (空き家活用講座) taught by 講師 一郎, course B (共生サロン講座) taught by
    別所 二郎, both by application; a superuser."""
    course_a = course_tree(site_tree, slug="akiya", title="空き家活用講座", policy="approval")
    course_b = course_tree(site_tree, slug="salon", title="共生サロン講座", policy="approval")
    instructor_a = InstructorFactory(last_name="講師", first_name="一郎")
    instructor_b = InstructorFactory(last_name="別所", first_name="二郎")
    CourseInstructor(page=course_a, user=instructor_a).save()
    CourseInstructor(page=course_b, user=instructor_b).save()
    admin = UserFactory(is_superuser=True, is_staff=True, last_name="管理", first_name="者")
    return {
        "site": site_tree,
        "course_a": course_a,
        "course_b": course_b,
        "instructor_a": instructor_a,
        "instructor_b": instructor_b,
        "admin": admin,
    }


@pytest.fixture
def trainee():
    return TraineeFactory(last_name="髙橋", first_name="𠮷子")

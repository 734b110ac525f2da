"""Query budgets of the gradebook: the same exact counts at 10 and 1,000 trainees.

The gradebook itself is four queries (``selectors.gradebook``); the counts below are the
whole requests, Wagtail's admin frame included.
"""

import pytest

from tests.reports.gradebook_fixtures import bulk_course

# Every request: the session and the user; Wagtail's admin-access check (the user's and
# the groups' permissions) and the user's admin profile (language); the instructor check
# (Instructors group); the course (``courses_taught_by``, marked whether the user is named
# on it) and its cohorts; the gradebook: course totals, quizzes, enrollments with their
# figures, best attempts.
EXPORT_QUERIES = 2 + 3 + 1 + 2 + 4
# The page adds the rest of Wagtail's admin frame: locales, page and collection
# permissions (menu), the explorer's root page.
PAGE_QUERIES = EXPORT_QUERIES + 4


@pytest.fixture(params=[10, 1000], ids=["10-trainees", "1000-trainees"])
def bulk(request, site_tree):
    return bulk_course(site_tree, trainees=request.param, quizzes=10) | {"size": request.param}


def test_page_queries_do_not_grow(client, bulk, django_assert_num_queries):
    client.force_login(bulk["teacher"])
    url = f"/admin/reports/gradebook/{bulk['course'].pk}/"
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url + "?sort=-progress&state=in_progress&q=やまだ")
    assert response.status_code == 200
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(
            url + f"?cohort={bulk['cohort'].pk}&p=2&sort=quiz-{bulk['quizzes'][3].pk}"
        )
    assert response.status_code == 200
    html = response.content.decode()
    # Page 2 of 1,000 rows: rows 51-100; of 10 rows: there is one page, shown.
    assert html.count('href="/admin/enrollments/history/') == min(50, bulk["size"])


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_queries_do_not_grow(client, bulk, django_assert_num_queries, export_format):
    client.force_login(bulk["teacher"])
    url = f"/admin/reports/gradebook/{bulk['course'].pk}/export/{export_format}/"
    client.get(url)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(url + "?sort=-hours")
        content = b"".join(response.streaming_content)
    assert response.status_code == 200
    if export_format == "csv":
        assert content.decode("utf-8").count("@example.com") == bulk["size"]

import datetime

import pytest
from django.utils import timezone

from cms.models import Theme
from lms.courses import services
from lms.courses.models import Enrollment, LessonPage
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import catalogue, cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(site_tree):
    housing = Theme.objects.create(name="住まい", name_en="Housing", slug="housing")
    care = Theme.objects.create(name="介護・福祉", name_en="Care", slug="care")
    a = course_tree(
        site_tree, slug="akiya", title="空き家の活用", theme=housing, level="introductory"
    )
    b = course_tree(
        site_tree,
        slug="salon",
        title="共生サロン運営",
        theme=care,
        format="blended",
        level="advanced",
    )
    c = course_tree(site_tree, slug="closed", title="受付停止の講座", policy="closed")
    d = course_tree(site_tree, slug="later", title="来年の講座")
    cohort(d, enrollment_opens_at=timezone.now() + datetime.timedelta(days=30))
    return catalogue(site_tree), a, b, c, d


def titles(client, url):
    html = client.get(url).content.decode()
    return [
        t for t in ["空き家の活用", "共生サロン運営", "受付停止の講座", "来年の講座"] if t in html
    ]


def test_catalogue_lists_every_live_course(client, courses):
    index = courses[0]
    assert titles(client, index.url) == [
        "空き家の活用",
        "共生サロン運営",
        "受付停止の講座",
        "来年の講座",
    ]


def test_catalogue_filters_combine(client, courses):
    index = courses[0]
    assert titles(client, index.url + "?theme=housing") == ["空き家の活用"]
    assert titles(client, index.url + "?level=advanced") == ["共生サロン運営"]
    assert titles(client, index.url + "?format=blended&theme=care") == ["共生サロン運営"]
    assert titles(client, index.url + "?format=blended&theme=housing") == []
    assert titles(client, index.url + "?open=1") == ["空き家の活用", "共生サロン運営"]


def test_catalogue_ignores_unknown_filter_values(client, courses):
    index = courses[0]
    response = client.get(index.url + "?level=<script>&format=x")
    assert response.status_code == 200
    assert len(titles(client, index.url + "?level=<script>")) == 4


def test_catalogue_query_count_does_not_grow(client, courses, django_assert_num_queries):
    index = courses[0]
    client.get(index.url)
    with django_assert_num_queries(QUERIES_CATALOGUE):
        client.get(index.url)
    for n in range(6):
        course_tree(index.get_parent().specific, slug=f"more-{n}")
    client.get(index.url)
    with django_assert_num_queries(QUERIES_CATALOGUE):
        response = client.get(index.url)
    assert response.content.decode().count('class="h4"><a href=') == 10


QUERIES_CATALOGUE = 10


def test_internal_links_in_lesson_rich_text_add_no_query_per_link(
    client, site_tree, django_assert_num_queries
):
    course = course_tree(site_tree, slug="links", lessons=12)
    lessons = lessons_of(course)
    trainee = TraineeFactory()
    services.enrollment_create(user=trainee, course=course)
    client.force_login(trainee)

    def set_links(lesson, count):
        links = "".join(
            f'<a linktype="page" id="{target.pk}">{target.title}</a> ' for target in lessons[:count]
        )
        lesson.body = [("paragraph", f"<p>{links}</p>")]
        lesson.save_revision().publish()

    counts = []
    for lesson, n in ((lessons[0], 1), (lessons[1], 10)):
        set_links(lesson, n)
        lesson = LessonPage.objects.get(pk=lesson.pk)
        client.get(lesson.url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(lesson.url)
        assert response.content.decode().count(f'href="{lessons[0].url}"') >= 1
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_english_course_page_enrolls_into_the_original_course(client, site_tree):
    from wagtail.models import Locale

    course = course_tree(site_tree, slug="basics", lessons=2)
    en = Locale.objects.get(language_code="en")
    index_en = catalogue(site_tree).copy_for_translation(en)
    index_en.save_revision().publish()
    course_en = course.copy_for_translation(en)
    course_en.title = "Basics"
    course_en.save_revision().publish()
    trainee = TraineeFactory()
    client.force_login(trainee)
    html = client.get(course_en.url).content.decode()
    assert "レッスン1" in html  # the original's outline
    assert f"/learn/courses/{course.pk}/enroll/" in html
    client.post(f"/en/learn/courses/{course.pk}/enroll/", {"next": course_en.url})
    assert Enrollment.objects.get(user=trainee).course_id == course.pk

"""An instructor authors a course in the Wagtail admin, through the admin's own forms."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from lms.courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from tests.factories.accounts import InstructorFactory
from tests.factories.courses import catalogue

pytestmark = pytest.mark.django_db


def post_page(client, model, parent, data):
    url = f"/admin/pages/add/courses/{model._meta.model_name}/{parent.pk}/"
    response = client.post(url, nested_form_data(data))
    assert response.status_code == 302, response.content.decode()[:3000]
    return model.objects.child_of(parent).get(slug=data["slug"])


def test_instructor_creates_and_publishes_a_course_that_appears_in_the_catalogue(client, site_tree):
    index = catalogue(site_tree)
    index.save_revision().publish()
    client.force_login(InstructorFactory())
    course = post_page(
        client,
        CoursePage,
        index,
        {
            "title": "多世代交流イベントのつくり方",
            "slug": "intergenerational-events",
            "summary_text": "子どもから高齢者までが集うイベントを企画します。",
            "learning_outcomes": rich_text("<ul><li>企画書を書ける</li></ul>"),
            "audience": "地域で活動を始めたい方",
            "level": "introductory",
            "format": "online",
            "enrollment_policy": "open",
            "cover_image_alt": "",
            "certificate_requirements": rich_text(""),
            "course_instructors": inline_formset([]),
            "listing_summary": "",
            "action-publish": "publish",
        },
    )
    assert course.live
    module = post_page(
        client,
        ModulePage,
        course,
        {
            "title": "企画",
            "slug": "planning",
            "summary_text": "",
            "listing_summary": "",
            "action-publish": "publish",
        },
    )
    for n, title in enumerate(["目的を決める", "仲間を集める"], start=1):
        lesson = post_page(
            client,
            LessonPage,
            module,
            {
                "title": title,
                "slug": f"lesson-{n}",
                "estimated_minutes": "20",
                "required": "on",
                "body": streamfield(
                    [
                        ("paragraph", rich_text(f"<p>{title}の本文</p>")),
                        (
                            "key_points",
                            {
                                "title": "ポイント",
                                "points": streamfield([("item", "参加者の声を聴く")]),
                            },
                        ),
                    ]
                ),
                "listing_summary": "",
                "action-publish": "publish",
            },
        )
        assert lesson.live
        assert "本文" in str(lesson.body)
    html = client.get(index.url).content.decode()
    assert "多世代交流イベントのつくり方" in html
    html = client.get(course.url).content.decode()
    assert "目的を決める" in html and "仲間を集める" in html


def test_cover_image_needs_alternative_text(site_tree):
    from django.core.exceptions import ValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="表紙", file=get_test_image_file())
    course = CoursePage(
        title="講座", slug="c", summary_text="s", learning_outcomes="<p>o</p>", cover_image=image
    )
    with pytest.raises(ValidationError) as exc:
        course.clean()
    assert "cover_image_alt" in exc.value.message_dict


def test_instructors_cannot_add_pages_where_the_tree_forbids_it(client, site_tree):
    client.force_login(InstructorFactory())
    # A lesson directly under the home page is not allowed by parent_page_types.
    response = client.get(f"/admin/pages/add/courses/lessonpage/{site_tree.pk}/")
    assert response.status_code in (302, 403)
    assert CourseIndexPage.objects.count() == 0

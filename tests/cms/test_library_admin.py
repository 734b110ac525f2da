"""Authoring the method library in the Wagtail admin, through the admin's own forms."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import CaseStudyPage, LibraryDocument, MethodPage
from cms.visibility import visibilities_for
from lms.accounts.models import PartnerOrganisation
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.library import ja, ja_count, library_index, method, target_group, theme

pytestmark = pytest.mark.django_db


def post_page(client, model, parent, data, **multiple):
    url = f"/admin/pages/add/cms/{model._meta.model_name}/{parent.pk}/"
    assert client.get(url).status_code == 200
    form = nested_form_data(data)
    form.update(multiple)  # many-to-many fields: a list of ids under one name
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    return model.objects.child_of(parent).get(slug=data["slug"])


def method_form(**overrides):
    data = {
        "title": "空き家の持ち主と話す",
        "slug": "talk-to-owners",
        "visibility": "partners_trainees",
        "summary_text": "空き家の持ち主の不安を聞き取る手法です。",
        "prefecture": "tochigi",
        "stage": "launch",
        "problem": rich_text("<p>空き家が貸し出されない。</p>"),
        "audience": "地域の団体",
        "steps": streamfield(
            [
                (
                    "step",
                    {
                        "title": "話を聞く",
                        "description": rich_text("<p>持ち主の思いを最後まで聞きます。</p>"),
                        "tip": "提案は急がない。",
                    },
                ),
                (
                    "step",
                    {
                        "title": "約束を書面にする",
                        "description": rich_text("<p>連絡先と対応の範囲を渡します。</p>"),
                        "tip": "",
                    },
                ),
            ]
        ),
        "resources_people": "面談の担当",
        "resources_things": "チェックリスト",
        "resources_money": "交通費",
        "outcomes": rich_text("<p>部屋が開かれる。</p>"),
        "indicators": streamfield(
            [("indicator", {"indicator": "貸してよいと答えた人", "how_to_measure": ""})]
        ),
        "pitfalls": streamfield([("pitfall", {"pitfall": "制度の話から入る", "how_to_avoid": ""})]),
        "downloads": streamfield([]),
        "related_method_links": inline_formset([]),
        "listing_summary": "",
        "action-publish": "publish",
    }
    data.update(overrides)
    return data


def test_instructor_creates_a_method_with_steps_that_appears_filtered_in_the_index(
    client, site_tree
):
    housing = theme("housing", "住まい", "Housing")
    older = target_group("older-people", "高齢者", "Older people")
    index = library_index(site_tree)
    index.save_revision().publish()
    other = method(index, slug="other", title="別の手法", visibility="partners_trainees")
    client.force_login(InstructorFactory())

    page = post_page(
        client,
        MethodPage,
        index,
        method_form(
            related_method_links=inline_formset([{"method": str(other.pk)}]),
        ),
        themes=[str(housing.pk)],
        target_groups=[str(older.pk)],
    )

    assert page.live
    assert page.visibility == "partners_trainees"
    assert [s.value["title"] for s in page.steps] == ["話を聞く", "約束を書面にする"]
    assert list(page.themes.all()) == [housing]
    assert list(page.target_groups.all()) == [older]
    assert [link.method_id for link in page.related_method_links.all()] == [other.pk]

    client.force_login(TraineeFactory())
    html = client.get(index.url + "?theme=housing&target=older-people&prefecture=tochigi").content
    html = html.decode()
    assert "空き家の持ち主と話す" in html and "別の手法" not in html
    assert ja_count(1) in html
    html = client.get(index.url + "?theme=housing&stage=running").content.decode()
    assert "空き家の持ち主と話す" not in html
    html = client.get(page.url).content.decode()
    assert "持ち主の思いを最後まで聞きます。" in html and "提案は急がない。" in html
    assert html.index("話を聞く") < html.index("約束を書面にする")
    assert html.index(ja("Related methods")) > html.index(ja("Steps"))  # at the end
    assert "別の手法" in html


def test_a_method_without_steps_is_refused(client, site_tree):
    index = library_index(site_tree)
    client.force_login(InstructorFactory())
    url = f"/admin/pages/add/cms/methodpage/{index.pk}/"
    response = client.post(url, nested_form_data(method_form(steps=streamfield([]))))
    assert response.status_code == 200  # the form again, with the error
    assert not MethodPage.objects.filter(slug="talk-to-owners").exists()


def test_instructor_creates_a_case_study_and_it_needs_a_prefecture(client, site_tree):
    index = library_index(site_tree)
    index.save_revision().publish()
    used = method(index, slug="used", title="使った手法")
    client.force_login(InstructorFactory())
    data = {
        "title": "那須の閉校活用",
        "slug": "nasu",
        "visibility": "public",
        "summary_text": "閉校した小学校を共生型コミュニティに。",
        "prefecture": "",
        "stage": "launch",
        "municipality": "那須町",
        "period_start": "2019-04-01",
        "period_end": "",
        "project_partners": streamfield([("partner", {"name": "協会", "role": "運営"})]),
        "story": streamfield([("paragraph", rich_text("<p>学校が生まれ変わる物語。</p>"))]),
        "figures": streamfield([("figure", {"label": "機能", "value": "6", "unit": "種類"})]),
        "photos": streamfield([]),
        "lessons_learned": rich_text("<p>住民の参加が鍵。</p>"),
        "method_links": inline_formset([{"method": str(used.pk)}]),
        "listing_summary": "",
        "action-publish": "publish",
    }
    url = f"/admin/pages/add/cms/casestudypage/{index.pk}/"
    response = client.post(url, nested_form_data(data))
    assert response.status_code == 200
    assert not CaseStudyPage.objects.exists()

    data["prefecture"] = "tochigi"
    case = post_page(client, CaseStudyPage, index, data)
    html = client.get(case.url).content.decode()
    assert "学校が生まれ変わる物語。" in html and "栃木県" in html and "那須町" in html
    assert "使った手法" in html
    assert "2019年4月" in html
    # The method lists the case studies that used it.
    assert "那須の閉校活用" in client.get(used.url).content.decode()


def test_photos_in_a_case_study_need_alternative_text(client, site_tree):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="写真", file=get_test_image_file())
    block = CaseStudyPage._meta.get_field("photos").stream_block
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        block.clean(
            block.to_python([{"type": "photo", "value": {"image": image.pk, "alt_text": ""}}])
        )
    block.clean(
        block.to_python([{"type": "photo", "value": {"image": image.pk, "alt_text": "校舎の外観"}}])
    )


def test_library_pages_only_go_under_the_library(client, site_tree):
    client.force_login(InstructorFactory())
    response = client.get(f"/admin/pages/add/cms/methodpage/{site_tree.pk}/")
    assert response.status_code in (302, 403)
    response = client.get(f"/admin/pages/add/cms/librarypage/{library_index(site_tree).pk}/")
    assert response.status_code in (302, 403, 404)


def test_document_visibility_is_set_in_the_admin(client, site_tree):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.services import instructor_collection_permissions_ensure

    instructor_collection_permissions_ensure(group=Group.objects.get(name="Instructors"))
    client.force_login(InstructorFactory())
    response = client.post(
        "/admin/documents/add/",
        {
            "title": "面談チェックリスト",
            "file": SimpleUploadedFile("checklist.csv", b"a,b\n", content_type="text/csv"),
            "collection": "1",
            "tags": "",
            "visibility": "partners",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert LibraryDocument.objects.get(title="面談チェックリスト").visibility == "partners"


# --- Partner organisations: superusers only ---------------------------------------------------
def test_only_superusers_manage_partner_organisations(client, site_tree):
    url = "/admin/snippets/accounts/partnerorganisation/"
    client.force_login(InstructorFactory())
    response = client.get(url)
    assert response.status_code in (302, 403)
    response = client.get(url + "add/")
    assert response.status_code in (302, 403)

    member = TraineeFactory(email="member@example.com")
    assert visibilities_for(member) == {"public", "partners_trainees"}
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200
    response = client.post(
        url + "add/",
        {
            "name": "株式会社みらい",
            "name_kana": "みらい",
            "prefecture": "tochigi",
            "website": "https://example.com/",
            "active": "on",
            "members": [str(member.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = PartnerOrganisation.objects.get(name="株式会社みらい")
    assert list(organisation.members.all()) == [member]
    member = type(member).objects.get(pk=member.pk)
    assert visibilities_for(member) == {"public", "partners", "partners_trainees"}
    assert "株式会社みらい" in client.get(url).content.decode()

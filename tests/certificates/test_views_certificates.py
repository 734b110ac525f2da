"""The public verification page, and who may download a certificate's PDF."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms.certificates import services
from tests.factories.accounts import InstructorFactory, UserFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree

from . import factories as cf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def ja(msgid: str) -> str:
    """The text as the Japanese page shows it (whatever the catalogue holds)."""
    with translation.override("ja"):
        return gettext(msgid)


@pytest.fixture
def course(site_tree):
    return course_tree(
        site_tree,
        slug="cert",
        lessons=1,
        title="地域プロデューサー基礎講座",
        total_hours=Decimal("12"),
    )


@pytest.fixture
def certificate(course):
    cf.templates()
    return cf.issued(course)


def _verify(client, code):
    with translation.override("ja"):
        return client.get(f"/certificates/verify/{code}/")


def test_a_valid_certificate_shows_what_it_certifies_and_nothing_else(client, certificate):
    response = _verify(client, certificate.code)
    assert response.status_code == 200
    html = response.content.decode()
    assert ja("This certificate is valid.") in html
    for text in ("髙橋 𠮷子", "たかはし よしこ", "地域プロデューサー基礎講座", certificate.serial):
        assert text in html
    assert certificate.completed_on.strftime("%Y-%m-%d") in html
    assert certificate.enrollment.user.email not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_superseded_certificate_says_so_and_points_to_the_new_one(client, certificate):
    admin = UserFactory(is_superuser=True)
    new = services.certificate_reissue(certificate=certificate, actor=admin, reason="改姓")
    services.certificate_render(certificate_id=new.pk)
    html = _verify(client, certificate.code).content.decode()
    assert ja("This certificate has been superseded by a newer certificate.") in html
    assert f"/certificates/verify/{new.code}/" in html
    assert new.serial in html


def test_a_revoked_certificate_says_so_with_the_date(client, certificate):
    services.certificate_revoke(
        certificate=certificate, actor=UserFactory(is_superuser=True), reason="不正"
    )
    certificate.refresh_from_db()
    response = _verify(client, certificate.code)
    html = response.content.decode()
    assert response.status_code == 200
    revoked_on = timezone.localtime(certificate.revoked_at).strftime("%Y-%m-%d")
    assert (
        ja("This certificate was revoked on %(date)s. It is no longer valid.")
        % {"date": revoked_on}
        in html
    )
    assert "不正" not in html  # the reason is for the admins


def test_an_unknown_code_is_a_404_with_the_form_again(client, certificate):
    response = _verify(client, "not-a-real-code")
    assert response.status_code == 404
    assert 'name="code"' in response.content.decode()


def test_a_pending_certificate_is_not_shown_as_valid(client, course):
    cf.templates()
    pending = services.certificate_issue(enrollment=cf.completed(course))
    assert _verify(client, pending.code).status_code == 404


def test_the_form_takes_a_code_or_a_whole_url(client, certificate):
    response = client.get(
        "/certificates/verify/",
        {"code": f" https://academy.example.jp/certificates/verify/{certificate.code}/ "},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/verify/{certificate.code}/"
    empty = client.get("/certificates/verify/", {"code": "  "})
    assert empty.status_code == 200 and "is-invalid" in empty.content.decode()


def _download(client, user, certificate):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(f"/certificates/{certificate.pk}/pdf/")


def test_pdf_download_permission_matrix(client, course, site_tree, certificate):
    owner = certificate.enrollment.user
    other_trainee = cf.trainee(email="other@example.com")
    instructor = InstructorFactory()
    cohort = make_cohort(course)
    cohort.instructors.add(instructor)
    from lms.courses.models import Enrollment

    Enrollment.objects.filter(pk=certificate.enrollment_id).update(cohort=cohort)
    other_course = course_tree(site_tree, slug="other", lessons=1)
    other_instructor = InstructorFactory()
    make_cohort(other_course).instructors.add(other_instructor)
    admin = UserFactory(is_superuser=True)

    for user in (owner, instructor, admin):
        response = _download(client, user, certificate)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (other_trainee, other_instructor):
        assert _download(client, user, certificate).status_code == 404, user
    anonymous = _download(client, None, certificate)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_owner_cannot_download_a_revoked_certificate(client, certificate):
    services.certificate_revoke(
        certificate=certificate, actor=UserFactory(is_superuser=True), reason="不正"
    )
    assert _download(client, certificate.enrollment.user, certificate).status_code == 404


def test_dashboard_shows_what_is_missing_then_the_certificate(client, course):
    cf.templates()
    enrollment = cf.enrolled(course)
    client.force_login(enrollment.user)
    with translation.override("ja"):
        html = client.get("/learn/mypage/").content.decode()
    assert "必須レッスンがあと1件完了していません。" in html

    cf.complete_lessons(enrollment, course)
    certificate = services.certificate_issue(enrollment=enrollment)
    html = client.get("/learn/mypage/").content.decode()
    assert f"/certificates/{certificate.pk}/pdf/" not in html  # not rendered yet
    services.certificate_render(certificate_id=certificate.pk)
    html = client.get("/learn/mypage/").content.decode()
    assert f"/certificates/{certificate.pk}/pdf/" in html
    assert f"/certificates/verify/{certificate.code}/" in html
    course_html = client.get(course.url).content.decode()
    assert f"/certificates/{certificate.pk}/pdf/" in course_html

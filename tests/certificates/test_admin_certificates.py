"""The certificates admin: listing (scope, search, queries), a certificate's page and its
actions, bulk issue for a cohort with the review step, the cohort's ZIP, design preview."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext

from lms.certificates import services
from lms.certificates.models import Certificate, CertificateTemplate
from lms.courses.models import Enrollment
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree

from . import factories as cf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def ja(msgid: str) -> str:
    with translation.override("ja"):
        return gettext(msgid)


@pytest.fixture
def setup(site_tree):
    cf.templates()
    course = course_tree(
        site_tree, slug="cert", lessons=1, title="基礎講座", total_hours=Decimal("12")
    )
    cohort = make_cohort(course, name="第1期")
    instructor = InstructorFactory()
    cohort.instructors.add(instructor)
    other_course = course_tree(site_tree, slug="other", lessons=1, title="別の講座")
    other_cohort = make_cohort(other_course, name="第2期")
    other_instructor = InstructorFactory()
    other_cohort.instructors.add(other_instructor)
    return {
        "course": course,
        "cohort": cohort,
        "instructor": instructor,
        "other_course": other_course,
        "other_cohort": other_cohort,
        "other_instructor": other_instructor,
        "admin": UserFactory(is_superuser=True),
    }


def _pending(course, cohort, **user_fields):
    return services.certificate_issue(
        enrollment=cf.completed(course, cf.trainee(**user_fields), cohort=cohort)
    )


def test_listing_is_scoped_to_the_instructors_courses_and_searchable(client, setup):
    mine = _pending(setup["course"], setup["cohort"], last_name="山本", last_name_kana="やまもと")
    theirs = _pending(setup["other_course"], setup["other_cohort"], last_name="川口")
    client.force_login(setup["instructor"])
    html = client.get("/admin/certificates/").content.decode()
    assert _row(mine) in html and _row(theirs) not in html
    found = client.get("/admin/certificates/", {"q": "やまもと"}).content.decode()
    assert _row(mine) in found
    assert (
        _row(theirs)
        not in client.get("/admin/certificates/", {"q": theirs.serial}).content.decode()
    )
    filtered = client.get("/admin/certificates/", {"status": "issued"}).content.decode()
    assert _row(mine) not in filtered  # still pending

    client.force_login(setup["admin"])
    html = client.get("/admin/certificates/").content.decode()
    assert _row(mine) in html and _row(theirs) in html
    assert _row(theirs) in client.get("/admin/certificates/", {"q": theirs.serial}).content.decode()

    client.force_login(TraineeFactory())
    assert client.get("/admin/certificates/").status_code in (302, 403)


def _row(certificate):
    return f'href="/admin/certificates/{certificate.pk}/"'


def _many(course, cohort, count, *, certified_every=1):
    """``count`` trainees of the cohort, made in bulk; every ``certified_every``-th one has
    completed the course and holds a certificate, the others are active."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    User = get_user_model()
    users = User.objects.bulk_create(
        User(
            email=f"many{n}@example.com",
            last_name="多田",
            first_name=f"{n}号",
            last_name_kana="ただ",
            password="!",
        )
        for n in range(count)
    )
    today = timezone.localdate()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            user=user,
            course=course,
            cohort=cohort,
            status="completed" if n % certified_every == 0 else "active",
        )
        for n, user in enumerate(users)
    )
    Certificate.objects.bulk_create(
        Certificate(
            enrollment=enrollment,
            year=today.year,
            sequence=n + 1,
            serial=f"RPA-{today.year}-{n + 1:06d}",
            status="pending",
            name=enrollment.user.get_full_name(),
            name_kana="ただ",
            course_title=course.title,
            completed_on=today,
            language="ja",
        )
        for n, enrollment in enumerate(enrollments)
        if n % certified_every == 0
    )


@pytest.mark.parametrize("count", [10, 200])
def test_listing_queries_do_not_grow(client, setup, django_assert_num_queries, count):
    _many(setup["course"], setup["cohort"], count)
    client.force_login(setup["instructor"])
    client.get("/admin/certificates/")
    with django_assert_num_queries(LISTING_QUERIES):
        response = client.get("/admin/certificates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="certificate_') == min(count, 50)  # one page of rows


# The session and user, Wagtail's admin frame (menu, locale, site), the instructor check,
# the filter's course and cohort choices, the count and the page of rows (one query).
LISTING_QUERIES = 14


def test_failed_certificate_shows_the_character_and_code_point_then_retry(
    client, setup, django_capture_on_commit_callbacks
):
    certificate = _pending(setup["course"], setup["cohort"], first_name="\U0002a6d6子")
    services.certificate_render(certificate_id=certificate.pk)
    client.force_login(setup["instructor"])
    url = f"/admin/certificates/{certificate.pk}/"
    with translation.override("ja"):
        html = client.get(url).content.decode()
    expected = ja("%(field)s: “%(char)s” (%(code)s) is not in the certificate fonts.") % {
        "field": ja("the name")[:1].upper() + ja("the name")[1:],
        "char": "\U0002a6d6",
        "code": "U+2A6D6",
    }
    assert expected in html

    user = certificate.enrollment.user
    user.first_name = "吉子"
    user.save()
    # Another course's instructor cannot see it, nor retry it.
    client.force_login(setup["other_instructor"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "retry"}).status_code == 404

    client.force_login(setup["instructor"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {"action": "retry"})
    assert len(callbacks) == 1  # the render task
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.name.endswith("吉子")
    assert Certificate.objects.filter(enrollment=certificate.enrollment).count() == 1


def test_only_superusers_revoke_and_reissue(client, setup):
    certificate = _pending(setup["course"], setup["cohort"])
    services.certificate_render(certificate_id=certificate.pk)
    url = f"/admin/certificates/{certificate.pk}/"
    client.force_login(setup["instructor"])
    assert 'value="revoke"' not in client.get(url).content.decode()
    refused = client.post(url, {"action": "revoke", "revoke-reason": "x"})
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's "no"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED

    client.force_login(setup["admin"])
    missing_reason = client.post(url, {"action": "revoke", "revoke-reason": ""})
    assert missing_reason.status_code == 400
    response = client.post(url, {"action": "reissue", "reissue-reason": "改姓のため"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUPERSEDED
    new = certificate.superseded_by
    assert response["Location"] == f"/admin/certificates/{new.pk}/"
    response = client.post(
        f"/admin/certificates/{new.pk}/", {"action": "revoke", "revoke-reason": "誤発行"}
    )
    new.refresh_from_db()
    assert new.status == Certificate.Status.REVOKED and new.revoked_reason == "誤発行"
    history = client.get(f"/admin/certificates/history/{certificate.pk}/").content.decode()
    assert "改姓のため" in history
    # Wagtail's audit report lists both actions.
    report = client.get("/admin/reports/site-history/").content.decode()
    assert "改姓のため" in report and "誤発行" in report


def test_bulk_review_lists_eligible_and_missing_then_issues_the_checked(client, setup):
    course, cohort = setup["course"], setup["cohort"]
    ready = [
        cf.enrolled(course, cf.trainee(email=f"r{n}@example.com"), cohort=cohort) for n in range(3)
    ]
    # Eligible but still active (e.g. completed before this app existed): mark the lessons
    # done without the completion signal.
    from lms.courses.models import LessonProgress
    from tests.factories.courses import lessons_of

    for enrollment in ready:
        for lesson in lessons_of(course):
            LessonProgress.objects.create(enrollment=enrollment, lesson=lesson)
    waiting = cf.enrolled(
        course, cf.trainee(email="w@example.com", last_name="未了"), cohort=cohort
    )
    other = cf.enrolled(
        setup["other_course"], cf.trainee(email="o@example.com"), cohort=setup["other_cohort"]
    )

    client.force_login(setup["instructor"])
    url = "/admin/certificates/cohort/"
    with translation.override("ja"):
        html = client.get(url, {"cohort": cohort.pk}).content.decode()
    for enrollment in ready:
        assert f'name="enrollment" value="{enrollment.pk}"' in html
    assert f'value="{waiting.pk}"' not in html
    assert ja("%(count)d required lesson is not complete yet.") % {"count": 1} in html
    assert client.get(url, {"cohort": setup["other_cohort"].pk}).status_code == 404

    # Deselect one; an enrollment of another cohort slipped into the form is ignored.
    chosen = [ready[0].pk, ready[1].pk, waiting.pk, other.pk]
    response = client.post(url, {"cohort": cohort.pk, "enrollment": chosen})
    assert response.status_code == 302
    issued = Certificate.objects.filter(enrollment__in=[ready[0], ready[1]])
    assert issued.count() == 2
    assert all(c.issued_by == setup["instructor"] for c in issued)
    assert not Certificate.objects.filter(enrollment__in=[ready[2], waiting, other]).exists()
    assert Enrollment.objects.get(pk=ready[0].pk).status == Enrollment.Status.COMPLETED

    for certificate in issued:
        services.certificate_render(certificate_id=certificate.pk)
    response = client.get(f"/admin/certificates/cohort/{cohort.pk}/zip/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(f"{c.serial}_{c.name}.pdf" for c in issued)
    assert all(archive.read(name).startswith(b"%PDF-") for name in names)

    client.force_login(setup["other_instructor"])
    assert client.get(f"/admin/certificates/cohort/{cohort.pk}/zip/").status_code == 404
    client.force_login(TraineeFactory())
    assert client.get(f"/admin/certificates/cohort/{cohort.pk}/zip/").status_code in (302, 403)


@pytest.mark.parametrize("count", [10, 200])
def test_bulk_review_queries_do_not_grow(client, setup, django_assert_num_queries, count):
    _many(setup["course"], setup["cohort"], count, certified_every=2)
    client.force_login(setup["instructor"])
    url = f"/admin/certificates/cohort/?cohort={setup['cohort'].pk}"
    client.get(url)
    with django_assert_num_queries(BULK_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<th scope="row">多田') == count  # one row per trainee


# The session and user, the admin frame, the instructor check, the cohort, the cohorts for
# the select, the enrollments, ``eligibilities`` (lessons, progress, quizzes, fieldwork
# requirements) and the certificates.
BULK_QUERIES = 18


def test_design_preview_is_a_pdf_for_admins_only(client, setup):
    design = CertificateTemplate.objects.get(language="ja")
    url = f"/admin/certificate-designs/{design.pk}/preview/"
    client.force_login(setup["instructor"])
    refused = client.get(url)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    designs_admin = "/admin/snippets/certificates/certificatetemplate/"
    for path in (designs_admin, f"{designs_admin}edit/{design.pk}/"):
        refused = client.get(path)
        assert refused.status_code == 302 and refused["Location"] == "/admin/", path
    client.force_login(setup["admin"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")

    editor = InstructorFactory()
    editor.user_permissions.add(
        Permission.objects.get(codename="change_certificatetemplate"),
        Permission.objects.get(codename="access_admin"),
    )
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_design_with_an_unknown_placeholder_is_refused_in_the_admin(client, setup):
    client.force_login(setup["admin"])
    design = CertificateTemplate.objects.get(language="ja")
    response = client.post(
        f"/admin/snippets/certificates/certificatetemplate/edit/{design.pk}/",
        {
            "name": design.name,
            "language": "ja",
            "date_style": "western",
            "is_default": "on",
            "title": "修了証",
            "body": "{nmae} 様",
            "issuer": design.issuer,
            "signatory_name": design.signatory_name,
            "signatory_title": design.signatory_title,
        },
    )
    assert response.status_code == 200
    assert "{nmae}" in response.content.decode()
    design.refresh_from_db()
    assert design.body != "{nmae} 様"


def test_design_with_seal_and_logo_images_renders_and_the_edit_view_links_the_preview(
    client, setup, tmp_path
):
    from django.core.files.images import ImageFile
    from wagtail.images.models import Image

    from .conftest import Pdf, seal_png

    seal = Image.objects.create(title="印影", file=ImageFile(io.BytesIO(seal_png()), "seal.png"))
    design = CertificateTemplate.objects.get(language="ja")
    design.seal_image = seal
    design.logo_image = seal
    design.save()
    assert design.design().seal_image == seal_png()

    client.force_login(setup["admin"])
    edit = client.get(f"/admin/snippets/certificates/certificatetemplate/edit/{design.pk}/")
    assert f"/admin/certificate-designs/{design.pk}/preview/" in edit.content.decode()

    certificate = cf.issued(setup["course"], cohort=setup["cohort"])
    assert certificate.status == Certificate.Status.ISSUED
    from django.core.files.storage import storages

    pdf = Pdf(storages["private"].open(certificate.pdf_file, "rb").read(), tmp_path)
    assert len(pdf.images()) == 2  # the seal and the logo


def test_failed_certificates_are_announced_on_the_superusers_dashboard(client, setup):
    client.force_login(setup["admin"])
    assert 'id="certificates-failed' not in client.get("/admin/").content.decode()
    certificate = _pending(setup["course"], setup["cohort"], first_name="\U0002a6d6子")
    services.certificate_render(certificate_id=certificate.pk)
    html = client.get("/admin/").content.decode()
    assert 'id="certificates-failed' in html
    assert 'href="/admin/certificates/?status=failed"' in html
    listing = client.get("/admin/certificates/?status=failed").content.decode()
    assert _row(certificate) in listing
    client.force_login(setup["instructor"])
    assert 'id="certificates-failed' not in client.get("/admin/").content.decode()

"""A new certificate after a revocation, in the admin (who may, the confirmation step), on
the public verification page (the new serial is never revealed) and in the trainee's
panel."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.courses.models import Enrollment
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree

from . import factories as cf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db

Status = Certificate.Status


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
    other_instructor = InstructorFactory()
    make_cohort(other_course, name="第2期").instructors.add(other_instructor)
    admin = UserFactory(is_superuser=True)
    certificate = cf.issued(course, cohort=cohort)
    revoked = services.certificate_revoke(certificate=certificate, actor=admin, reason="誤り")
    return {
        "revoked": revoked,
        "instructor": instructor,
        "other_instructor": other_instructor,
        "admin": admin,
    }


def _url(certificate):
    return f"/admin/certificates/{certificate.pk}/"


STEP_ONE = {"action": "issue_again", "again-reason": "失効は誤りでした"}
CONFIRM = {**STEP_ONE, "confirm": "yes"}


def test_the_administrator_gives_a_reason_confirms_and_gets_a_new_certificate(
    client, setup, django_capture_on_commit_callbacks
):
    revoked = setup["revoked"]
    client.force_login(setup["admin"])
    html = client.get(_url(revoked)).content.decode()
    assert 'name="action" value="issue_again"' in html and 'name="again-reason"' in html

    missing = client.post(_url(revoked), {"action": "issue_again", "again-reason": " "})
    assert missing.status_code == 400
    assert Certificate.objects.count() == 1

    with translation.override("en"):
        confirm = client.post(_url(revoked), STEP_ONE)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    with translation.override("ja"):  # the admin answers in the user's language, Japanese
        heading = translation.gettext("Issue a new certificate after the revocation?")
    assert heading in page
    assert revoked.serial in page and "髙橋 𠮷子" in page
    assert 'name="again-reason" value="失効は誤りでした"' in page
    assert 'name="confirm" value="yes"' in page
    assert Certificate.objects.count() == 1  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(_url(revoked), CONFIRM)
    assert len(callbacks) == 1  # the render task
    new = Certificate.objects.get(replaces=revoked)
    assert response.status_code == 302 and response["Location"] == _url(new)
    assert new.status == Status.ISSUED and new.issued_by == setup["admin"]
    assert Certificate.objects.get(pk=revoked.pk).status == Status.REVOKED

    with translation.override("en"):
        new_page = client.get(_url(new)).content.decode()
        old_page = client.get(_url(revoked)).content.decode()
    assert ja("Issued after the revocation of") in new_page and _url(revoked) in new_page
    assert "失効は誤りでした" in new_page
    assert ja("Followed by a new certificate") in old_page and _url(new) in old_page
    assert 'value="issue_again"' not in old_page  # followed once only
    history = client.get(f"/admin/certificates/history/{revoked.pk}/").content.decode()
    assert "失効は誤りでした" in history and new.serial in history

    # The same request again (a second tab): no second certificate.
    again = client.post(_url(revoked), CONFIRM)
    assert again.status_code == 302 and again["Location"] == _url(new)
    assert Certificate.objects.count() == 2


def test_a_trainee_who_no_longer_qualifies_gets_no_confirmation(client, setup):
    revoked = setup["revoked"]
    Enrollment.objects.filter(pk=revoked.enrollment_id).update(status=Enrollment.Status.WITHDRAWN)
    client.force_login(setup["admin"])
    response = client.post(_url(revoked), STEP_ONE)
    assert response.status_code == 302 and response["Location"] == _url(revoked)
    with translation.override("ja"):
        html = client.get(_url(revoked)).content.decode()
    assert ja("Only a trainee who completed the course can receive a certificate.") in html
    assert client.post(_url(revoked), CONFIRM).status_code == 302
    assert Certificate.objects.count() == 1


def test_a_valid_certificate_offers_no_new_certificate(client, setup):
    new = services.certificate_issue_after_revocation(
        certificate=setup["revoked"], actor=setup["admin"], reason="誤り"
    )
    new = services.certificate_render(certificate_id=new.pk)
    client.force_login(setup["admin"])
    assert 'value="issue_again"' not in client.get(_url(new)).content.decode()
    response = client.post(_url(new), CONFIRM)
    assert response.status_code == 302
    assert Certificate.objects.count() == 2


def test_who_may_issue_after_a_revocation(client, setup):
    """The rule of revoking and reissuing: the academy's administrators only."""
    revoked = setup["revoked"]
    # The instructor of the course sees the certificate but not the action.
    client.force_login(setup["instructor"])
    page = client.get(_url(revoked))
    assert page.status_code == 200 and 'value="issue_again"' not in page.content.decode()
    for data in (STEP_ONE, CONFIRM):
        refused = client.post(_url(revoked), data)
        assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's "no"
    # Another course's instructor does not even see it.
    client.force_login(setup["other_instructor"])
    assert client.get(_url(revoked)).status_code == 404
    assert client.post(_url(revoked), CONFIRM).status_code == 404
    # A trainee (the certificate's owner) has no admin.
    client.force_login(revoked.enrollment.user)
    refused = client.post(_url(revoked), CONFIRM)
    assert refused.status_code in (302, 403)
    assert refused.status_code == 403 or "/admin/login/" in refused["Location"]
    client.force_login(TraineeFactory())
    assert client.post(_url(revoked), CONFIRM).status_code in (302, 403)
    client.logout()
    anonymous = client.post(_url(revoked), CONFIRM)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().status == Status.REVOKED


def test_the_verification_page_of_the_revoked_certificate_never_names_the_new_one(client, setup):
    revoked = setup["revoked"]
    with translation.override("ja"):
        before = client.get(f"/certificates/verify/{revoked.code}/").content.decode()
    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=setup["admin"], reason="誤り"
    )
    new = services.certificate_render(certificate_id=new.pk)
    with translation.override("ja"):
        response = client.get(f"/certificates/verify/{revoked.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    revoked_line = ja("This certificate was revoked on %(date)s. It is no longer valid.") % {
        "date": timezone.localtime(revoked.revoked_at).strftime("%Y-%m-%d")
    }
    assert revoked_line in html and revoked_line in before
    assert new.serial not in html and new.code not in html
    assert ja("See the current certificate (%(serial)s)").split("(")[0] not in html
    assert ja("This certificate has been superseded by a newer certificate.") not in html
    assert "誤り" not in html
    # The new certificate's page is valid and says nothing of the revoked one.
    with translation.override("ja"):
        html = client.get(f"/certificates/verify/{new.code}/").content.decode()
    assert ja("This certificate is valid.") in html
    assert revoked.serial not in html and revoked.code not in html


def test_the_trainees_panel_shows_the_new_certificate_and_the_revoked_one_as_revoked(client, setup):
    revoked = setup["revoked"]
    owner = revoked.enrollment.user
    client.force_login(owner)
    with translation.override("ja"):
        html = client.get("/learn/mypage/").content.decode()
    assert ja("Your certificate was revoked. Please contact the academy office.") in html

    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=setup["admin"], reason="誤り"
    )
    new = services.certificate_render(certificate_id=new.pk)
    with translation.override("en"):
        html = client.get("/en/learn/mypage/").content.decode()
    assert f"Your certificate has been issued (No. {new.serial})." in html
    assert f"/certificates/{new.pk}/pdf/" in html
    assert f"/certificates/verify/{new.code}/" in html
    assert (
        f"Your earlier certificate (No. {revoked.serial}) was revoked and is no longer valid. "
        "This new certificate replaces it."
    ) in html
    assert f"/certificates/{revoked.pk}/pdf/" not in html
    assert "Your certificate was revoked. Please contact the academy office." not in html
    assert client.get(f"/certificates/{new.pk}/pdf/").status_code == 200
    assert client.get(f"/certificates/{revoked.pk}/pdf/").status_code == 404


@pytest.mark.parametrize("followed", [False, True])
def test_the_dashboard_costs_the_same_with_a_new_certificate_after_a_revocation(
    client, setup, django_assert_num_queries, followed
):
    revoked = setup["revoked"]
    if followed:
        new = services.certificate_issue_after_revocation(
            certificate=revoked, actor=setup["admin"], reason="誤り"
        )
        services.certificate_render(certificate_id=new.pk)
    client.force_login(revoked.enrollment.user)
    client.get("/learn/mypage/")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get("/learn/mypage/")
    assert response.status_code == 200


# The dashboard of a trainee with one completed course and its certificate panel, measured:
# the same with or without a new certificate (the revoked certificate it follows comes in
# the query of the current certificates).
DASHBOARD_QUERIES = 9


def test_the_cohort_page_and_zip_hold_the_new_certificate_only(client, setup):
    revoked = setup["revoked"]
    cohort_id = revoked.enrollment.cohort_id
    client.force_login(setup["instructor"])
    html = client.get("/admin/certificates/cohort/", {"cohort": cohort_id}).content.decode()
    assert _url(revoked) in html and 'name="enrollment"' not in html  # nothing to issue
    assert client.get(f"/admin/certificates/cohort/{cohort_id}/zip/").status_code == 302

    new = services.certificate_issue_after_revocation(
        certificate=revoked, actor=setup["admin"], reason="誤り"
    )
    new = services.certificate_render(certificate_id=new.pk)
    html = client.get("/admin/certificates/cohort/", {"cohort": cohort_id}).content.decode()
    assert _url(new) in html and _url(revoked) not in html
    response = client.get(f"/admin/certificates/cohort/{cohort_id}/zip/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{new.serial}_{new.name}.pdf"]

"""Fieldwork decisions and the supervisor's answer, certificates issued (by the system on
completion, by an instructor, in bulk), reissued, revoked, failed and retried: in Wagtail's
audit reports for the course's instructors and superusers, and in each record's history."""

import pytest
from django.utils import timezone

from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.models import CourseLogEntry, LessonProgress
from lms.fieldwork import services as fieldwork
from tests.audit.conftest import ja, report_rows, text_of
from tests.certificates.factories import templates
from tests.factories import fieldwork as ff
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import lessons_of

pytestmark = pytest.mark.django_db


def active(course, **names):
    enrollment = course_services.enrollment_create(user=TraineeFactory(**names), course=course)
    return course_services.enrollment_approve(enrollment=enrollment, actor=None)


def with_comment(decision, comment):
    return ja("%(decision)s. Comment: “%(comment)s”") % {"decision": decision, "comment": comment}


# --- Fieldwork ---------------------------------------------------------------------------------
def test_fieldwork_decisions_and_the_supervisor_reach_the_course_only(client, world):
    mine = active(world["course_a"], last_name="髙橋")
    theirs = active(world["course_b"], last_name="鈴木")
    approved, returned, rejected, confirmed = (
        ff.entry(
            mine,
            status="submitted",
            site=f"現場{n}",
            supervisor_name="山本",
            supervisor_email="yamamoto@example.com",
        )
        for n in range(4)
    )
    other = ff.entry(theirs, status="submitted", site="別講座の現場")
    a = world["instructor_a"]
    fieldwork.entry_review(entry=approved, actor=a, decision="approve", notify=False)
    fieldwork.entry_review(
        entry=returned, actor=a, decision="return", comment="時間を直してください", notify=False
    )
    fieldwork.entry_review(
        entry=rejected, actor=a, decision="reject", comment="講座と関係がありません", notify=False
    )
    _token, raw = fieldwork.supervisor_link_send(entry=confirmed, notify=False)
    fieldwork.supervisor_respond(raw_token=raw, confirm=True)
    fieldwork.entry_review(
        entry=other, actor=world["instructor_b"], decision="reject", comment="別講座の理由"
    )

    assert set(
        CourseLogEntry.objects.filter(enrollment=mine).values_list("course_id", flat=True)
    ) == {world["course_a"].pk}
    messages = [
        ja("Fieldwork entry approved"),
        with_comment(
            ja("Fieldwork entry returned to the trainee for changes"), "時間を直してください"
        ),
        with_comment(ja("Fieldwork entry rejected"), "講座と関係がありません"),
        ja("Confirmed by %(name)s") % {"name": ja("Supervisor %(name)s") % {"name": "山本"}},
    ]
    for user in (world["admin"], world["instructor_a"]):
        rows = report_rows(client, user)
        assert all(message in rows for message in messages), rows
        assert "現場0" in rows and ja("system") in rows
    rows_b = report_rows(client, world["instructor_b"])
    assert not any(message in rows_b for message in messages[1:])
    assert "現場" not in rows_b.replace("別講座の現場", "") and "講師 一郎" not in rows_b
    assert with_comment(ja("Fieldwork entry rejected"), "別講座の理由") in rows_b

    client.force_login(world["instructor_a"])
    history = client.get(f"/admin/fieldwork/history/{returned.pk}/")
    assert history.status_code == 200 and messages[1] in text_of(history)
    client.force_login(world["instructor_b"])
    assert client.get(f"/admin/fieldwork/history/{returned.pk}/").status_code == 404


# --- Certificates ------------------------------------------------------------------------------
@pytest.fixture
def designs(world):
    return templates()


def complete_without_signal(enrollment, course):
    """Every lesson done, without the completion signal (so an instructor issues)."""
    for lesson in lessons_of(course):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson)


def test_automatic_issue_is_the_system_on_the_trainees_completion(client, world, designs):
    enrollment = active(world["course_a"], last_name="髙橋")
    for lesson in lessons_of(world["course_a"]):
        course_services.lesson_complete(enrollment=enrollment, lesson=lesson)
    certificate = Certificate.objects.get(enrollment=enrollment)
    entries = {e.action: e for e in CourseLogEntry.objects.filter(enrollment=enrollment)}
    assert entries[course_services.LOG_COMPLETE].user is None
    assert entries[certificates.LOG_ISSUE].user is None
    assert entries[certificates.LOG_ISSUE].course_id == world["course_a"].pk
    issued = ja("Certificate %(serial)s issued automatically: the trainee completed the course") % {
        "serial": certificate.serial
    }
    completed = ja("Course completed: every requirement is met")
    rows = report_rows(client, world["instructor_a"])
    assert issued in rows and completed in rows and ja("system") in rows
    assert certificate.serial not in report_rows(client, world["instructor_b"])
    assert completed not in report_rows(client, world["instructor_b"])


def test_issue_bulk_reissue_revoke_fail_and_retry_are_reported(client, world, designs):
    a = world["instructor_a"]
    one, two, three = (active(world["course_a"], last_name=name) for name in ("一", "二", "三"))
    for enrollment in (one, two, three):
        complete_without_signal(enrollment, world["course_a"])
    first = certificates.certificate_issue(enrollment=one, actor=a)
    result = certificates.certificates_issue_bulk(enrollments=[two, three], actor=a)
    second, third = result.issued
    Certificate.objects.filter(pk=first.pk).update(
        status=Certificate.Status.ISSUED, issued_at=timezone.now(), pdf_file="certificates/x.pdf"
    )
    new = certificates.certificate_reissue(certificate=first, actor=a, reason="改姓のため")
    certificates.certificate_revoke(certificate=second, actor=world["admin"], reason="誤発行")
    # The design went missing: the render fails, then an instructor tries again.
    Certificate.objects.filter(pk=third.pk).update(template=None)
    certificates.certificate_render(certificate_id=third.pk)
    third.refresh_from_db()
    assert third.status == Certificate.Status.FAILED
    error = third.error
    certificates.certificate_retry(certificate=third, actor=a)

    messages = [
        ja("Certificate %(serial)s issued") % {"serial": second.serial},
        ja("Certificate %(serial)s superseded by %(new)s. Reason: “%(reason)s”")
        % {"serial": first.serial, "new": new.serial, "reason": "改姓のため"},
        ja("Certificate %(serial)s issued, replacing %(old)s")
        % {"serial": new.serial, "old": first.serial},
        ja("Certificate %(serial)s revoked. Reason: “%(reason)s”")
        % {"serial": second.serial, "reason": "誤発行"},
        ja("The certificate could not be made: %(error)s") % {"error": error},
        ja("Making certificate %(serial)s tried again") % {"serial": third.serial},
    ]
    for user in (world["admin"], a):
        rows = report_rows(client, user)
        missing = [message for message in messages if message not in rows]
        assert not missing, missing
    rows_b = report_rows(client, world["instructor_b"])
    assert not any(
        serial in rows_b for serial in (first.serial, second.serial, third.serial, new.serial)
    )

    client.force_login(a)
    history = client.get(f"/admin/certificates/history/{first.pk}/")
    assert history.status_code == 200 and messages[1] in text_of(history)
    client.force_login(world["instructor_b"])
    assert client.get(f"/admin/certificates/history/{first.pk}/").status_code == 404

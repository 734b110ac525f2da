"""Enrollment approvals (one, several, from a CSV file), rejections, promotions from the
waiting list and completions in Wagtail's audit reports, scoped to the courses taught."""

import pytest

from lms.courses import bulk, services
from lms.courses.models import CourseLogEntry, Enrollment
from tests.audit.conftest import REPORT, ja, report_rows, text_of
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort

pytestmark = pytest.mark.django_db
Status = Enrollment.Status


def decision_url(action, *enrollments):
    query = "&".join(f"id={e.pk}" for e in enrollments)
    return f"/admin/bulk/courses/enrollment/{action}/?{query}&next=/admin/enrollments/"


def apply(world, course, user=None):
    return services.enrollment_create(user=user or TraineeFactory(), course=course)


def test_approving_one_in_the_admin_is_reported_to_the_course_and_no_other(client, world):
    mine = apply(world, world["course_a"], TraineeFactory(last_name="髙橋", first_name="𠮷子"))
    theirs = apply(world, world["course_b"], TraineeFactory(last_name="鈴木", first_name="三郎"))
    client.force_login(world["instructor_a"])
    response = client.post(decision_url("approve", mine), {"message": "ようこそ"})
    assert response.status_code == 302
    client.force_login(world["instructor_b"])
    client.post(decision_url("reject", theirs), {"message": "定員のため"})

    entry = CourseLogEntry.objects.get(action=bulk.LOG_APPROVE)
    assert (entry.course_id, entry.enrollment_id, entry.user) == (
        world["course_a"].pk,
        mine.pk,
        world["instructor_a"],
    )
    approved = ja("%(decision)s. Message to the trainee: “%(message)s”") % {
        "decision": ja("Enrollment approved"),
        "message": "ようこそ",
    }
    rejected = ja("%(decision)s. Message to the trainee: “%(message)s”") % {
        "decision": ja("Enrollment rejected"),
        "message": "定員のため",
    }
    for user in (world["admin"], world["instructor_a"]):
        rows = report_rows(client, user)
        assert approved in rows and "講師 一郎" in rows and "空き家活用講座" in rows
    assert rejected in report_rows(client, world["admin"])
    rows_a = report_rows(client, world["instructor_a"])
    assert rejected not in rows_a and "鈴木" not in rows_a and "別所" not in rows_a
    rows_b = report_rows(client, world["instructor_b"])
    assert rejected in rows_b and approved not in rows_b and "髙橋" not in rows_b

    # The enrollment's own history: its course's instructor yes, the other one a 404.
    client.force_login(world["instructor_a"])
    history = client.get(f"/admin/enrollments/history/{mine.pk}/")
    assert history.status_code == 200 and approved in text_of(history)
    client.force_login(world["instructor_b"])
    assert client.get(f"/admin/enrollments/history/{mine.pk}/").status_code == 404


def test_approving_several_logs_each_with_the_waiting_list(client, world):
    full = cohort(world["course_a"], capacity=1)
    first, second = (
        services.enrollment_create(user=TraineeFactory(), course=world["course_a"], cohort=full)
        for _ in range(2)
    )
    client.force_login(world["instructor_a"])
    assert client.post(decision_url("approve", first, second), {"message": ""}).status_code == 302
    assert CourseLogEntry.objects.filter(action=bulk.LOG_APPROVE).count() == 2
    rows = report_rows(client, world["instructor_a"])
    assert ja("Enrollment approved") in rows
    assert ja("Enrollment approved: on the waiting list, the cohort is full") in rows
    assert "Enrollment approved" not in report_rows(client, world["instructor_b"])
    assert ja("Enrollment approved") not in report_rows(client, world["instructor_b"])


def test_approving_from_a_csv_file_says_so(world, client):
    pending = apply(world, world["course_a"], TraineeFactory(email="csv@example.com"))
    _text, rows = bulk.csv_read(
        "email,family_name,given_name,family_name_kana,given_name_kana\n"
        "csv@example.com,髙橋,𠮷子,たかはし,よしこ\n".encode(),
        require_cohort=False,
    )
    bulk.bulk_enrollment_apply(course=world["course_a"], actor=world["instructor_a"], rows=rows)
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE
    expected = ja("%(decision)s (from a CSV file)") % {"decision": ja("Enrollment approved")}
    assert expected in report_rows(client, world["instructor_a"])
    assert expected not in report_rows(client, world["instructor_b"])


def test_promotion_from_the_waiting_list_is_logged_as_the_system(client, world):
    small = cohort(world["course_a"], capacity=1)
    seated = services.enrollment_create(
        user=TraineeFactory(), course=world["course_a"], cohort=small
    )
    waiting = services.enrollment_create(
        user=TraineeFactory(), course=world["course_a"], cohort=small
    )
    services.enrollment_approve(enrollment=seated, actor=world["instructor_a"])
    services.enrollment_approve(enrollment=waiting, actor=world["instructor_a"])
    services.enrollment_withdraw(enrollment=seated, actor=seated.user)
    waiting.refresh_from_db()
    assert waiting.status == Status.ACTIVE
    entry = CourseLogEntry.objects.get(action=services.LOG_PROMOTE)
    assert entry.user is None and entry.enrollment_id == waiting.pk
    assert entry.data == {"from_status": "waitlisted", "to_status": "active"}
    message = ja("A seat became free: moved from the waiting list to enrolled")
    rows = report_rows(client, world["instructor_a"])
    assert message in rows and ja("system") in rows
    assert message not in report_rows(client, world["instructor_b"])


def test_a_trainee_cannot_open_the_reports(client, world, trainee):
    apply(world, world["course_a"], trainee)
    client.force_login(trainee)
    response = client.get(REPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.logout()
    assert client.get(REPORT).status_code == 302
    assert CourseLogEntry.objects.viewable_by_user(trainee).count() == 0

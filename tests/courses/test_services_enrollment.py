import pytest
from django.core import mail

from lms.courses import services
from lms.courses.models import Enrollment, EnrollmentEvent
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import cohort, course_tree

pytestmark = pytest.mark.django_db
Status = Enrollment.Status


def test_open_self_paced_course_enrolls_at_once_and_records_the_event(site_tree):
    course = course_tree(site_tree)
    trainee = TraineeFactory()
    enrollment = services.enrollment_create(user=trainee, course=course)
    assert enrollment.status == Status.ACTIVE
    assert enrollment.cohort is None
    event = EnrollmentEvent.objects.get(enrollment=enrollment)
    assert (event.from_status, event.to_status, event.actor) == ("", Status.ACTIVE, trainee)


def test_one_enrollment_per_trainee_and_course(site_tree):
    course = course_tree(site_tree)
    trainee = TraineeFactory()
    services.enrollment_create(user=trainee, course=course)
    with pytest.raises(services.EnrollmentError) as exc:
        services.enrollment_create(user=trainee, course=course)
    assert "already" in str(exc.value) or "すでに" in str(exc.value)
    assert Enrollment.objects.filter(user=trainee).count() == 1


def test_closed_course_refuses(site_tree):
    course = course_tree(site_tree, policy="closed")
    with pytest.raises(services.EnrollmentError):
        services.enrollment_create(user=TraineeFactory(), course=course)
    assert not Enrollment.objects.exists()


def test_capacity_then_waiting_list_then_promotion_in_order(
    site_tree, django_capture_on_commit_callbacks
):
    course = course_tree(site_tree)
    group = cohort(course, capacity=2)
    a, b, c, d = (TraineeFactory() for _ in range(4))
    ea = services.enrollment_create(user=a, course=course)
    eb = services.enrollment_create(user=b, course=course)
    ec = services.enrollment_create(user=c, course=course)
    ed = services.enrollment_create(user=d, course=course)
    assert [e.status for e in (ea, eb, ec, ed)] == [
        Status.ACTIVE,
        Status.ACTIVE,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert ec.cohort == group
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(enrollment=ea, actor=a)
    ec.refresh_from_db()
    ed.refresh_from_db()
    assert ec.status == Status.ACTIVE  # first in line
    assert ed.status == Status.WAITLISTED
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert Enrollment.objects.filter(cohort=group, status__in=Enrollment.SEATED).count() == 2


def test_withdraw_and_re_enroll_keeps_the_same_record_and_progress(site_tree):
    course = course_tree(site_tree, lessons=2)
    trainee = TraineeFactory()
    enrollment = services.enrollment_create(user=trainee, course=course)
    lesson = course.lessons().first()
    services.lesson_complete(enrollment=enrollment, lesson=lesson)
    services.enrollment_withdraw(enrollment=enrollment, actor=trainee)
    again = services.enrollment_create(user=trainee, course=course)
    assert again.pk == enrollment.pk
    assert again.status == Status.ACTIVE
    assert again.lesson_progress.filter(lesson=lesson).exists()
    statuses = list(
        EnrollmentEvent.objects.filter(enrollment=enrollment).values_list("to_status", flat=True)
    )
    assert statuses == [Status.ACTIVE, Status.WITHDRAWN, Status.ACTIVE]


def test_prerequisites_are_enforced_with_what_is_missing(site_tree):
    basics = course_tree(site_tree, slug="basics", title="基礎講座")
    advanced = course_tree(site_tree, slug="advanced", title="応用講座")
    advanced.prerequisites.add(basics)
    advanced.save_revision().publish()
    trainee = TraineeFactory()
    with pytest.raises(services.EnrollmentError) as exc:
        services.enrollment_create(user=trainee, course=advanced)
    assert "基礎講座" in str(exc.value)
    enrollment = services.enrollment_create(user=trainee, course=basics)
    for lesson in basics.lessons():
        services.lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.COMPLETED
    assert services.enrollment_create(user=trainee, course=advanced).status == Status.ACTIVE


def test_approval_policy_pending_then_approve_or_reject_with_message(
    site_tree, django_capture_on_commit_callbacks
):
    course = course_tree(site_tree, policy="approval")
    instructor = InstructorFactory()
    first = services.enrollment_create(user=TraineeFactory(), course=course)
    second = services.enrollment_create(user=TraineeFactory(), course=course)
    assert first.status == second.status == Status.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.enrollments_decide(
            enrollments=[first], actor=instructor, approve=True, message="ようこそ"
        )
        services.enrollment_reject(enrollment=second, actor=instructor, message="次の期にどうぞ")
    assert result["done"] == [first] and result["errors"] == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.ACTIVE
    assert second.status == Status.REJECTED
    assert second.decision_message == "次の期にどうぞ"
    assert EnrollmentEvent.objects.filter(enrollment=second, actor=instructor).exists()
    assert len(mail.outbox) == 2


def test_approving_into_a_full_cohort_puts_on_the_waiting_list(site_tree):
    course = course_tree(site_tree, policy="approval")
    cohort(course, capacity=1)
    instructor = InstructorFactory()
    a = services.enrollment_create(user=TraineeFactory(), course=course)
    b = services.enrollment_create(user=TraineeFactory(), course=course)
    services.enrollment_approve(enrollment=a, actor=instructor)
    services.enrollment_approve(enrollment=b, actor=instructor)
    b.refresh_from_db()
    assert b.status == Status.WAITLISTED


def test_emails_are_in_the_trainees_language(site_tree, django_capture_on_commit_callbacks):
    course = course_tree(site_tree, policy="approval")
    instructor = InstructorFactory()
    ja = services.enrollment_create(user=TraineeFactory(preferred_language="ja"), course=course)
    en = services.enrollment_create(user=TraineeFactory(preferred_language="en"), course=course)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_approve(enrollment=ja, actor=instructor)
        services.enrollment_approve(enrollment=en, actor=instructor)
    assert "受講" in mail.outbox[0].subject
    assert "enrolled" in mail.outbox[1].subject


def test_cohort_enrollment_window_is_respected(site_tree):
    import datetime

    from django.utils import timezone

    course = course_tree(site_tree)
    cohort(course, enrollment_closes_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(services.EnrollmentError):
        services.enrollment_create(user=TraineeFactory(), course=course)


def test_lesson_complete_is_idempotent_and_requires_an_active_enrollment(site_tree):
    course = course_tree(site_tree, lessons=2)
    trainee = TraineeFactory()
    enrollment = services.enrollment_create(user=trainee, course=course)
    lesson = course.lessons().first()
    services.lesson_complete(enrollment=enrollment, lesson=lesson)
    services.lesson_complete(enrollment=enrollment, lesson=lesson)
    assert enrollment.lesson_progress.count() == 1
    services.enrollment_withdraw(enrollment=enrollment, actor=trainee)
    enrollment.refresh_from_db()
    with pytest.raises(services.EnrollmentError):
        services.lesson_complete(enrollment=enrollment, lesson=course.lessons().last())

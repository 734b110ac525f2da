"""The site history report's scope: its filters (users, actions, types) offer nothing of
other courses, cohort instructors see their course, the page costs the same number of
queries at any number of entries, and entries written before the course log existed are
moved there by the migration."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from lms.certificates import services as certificates
from lms.courses import bulk, services
from lms.courses.models import Cohort, CourseLogEntry, Enrollment
from tests.audit.conftest import REPORT, filter_values, report, report_rows
from tests.certificates.factories import templates
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import cohort, lessons_of

pytestmark = pytest.mark.django_db


def decided(course, actor, *, approve=True, **names):
    enrollment = services.enrollment_create(user=TraineeFactory(**names), course=course)
    return bulk.enrollments_decide_logged(
        enrollments=[enrollment], actor=actor, approve=approve, message=""
    ).done[0]


def test_the_filters_offer_no_user_action_or_type_of_another_course(client, world):
    decided(world["course_a"], world["instructor_a"])
    decided(world["course_b"], world["instructor_b"], approve=False)
    # Only in course B: a certificate revoked by B's instructor.
    templates()
    enrollment = decided(world["course_b"], world["instructor_b"])
    for lesson in lessons_of(world["course_b"]):
        services.lesson_complete(enrollment=enrollment, lesson=lesson)
    certificate = enrollment.certificates.get()
    certificates.certificate_revoke(
        certificate=certificate, actor=world["instructor_b"], reason="誤発行"
    )
    certificate_type = str(ContentType.objects.get_for_model(certificate).pk)

    text = report(client, world["instructor_a"])
    users = filter_values(text, "user")
    assert str(world["instructor_a"].pk) in users
    assert str(world["instructor_b"].pk) not in users
    actions = filter_values(text, "action")
    assert bulk.LOG_APPROVE in actions
    assert not {bulk.LOG_REJECT, certificates.LOG_REVOKE, certificates.LOG_ISSUE} & actions
    assert certificate_type not in filter_values(text, "object_type")

    text = report(client, world["admin"])
    assert {str(world["instructor_a"].pk), str(world["instructor_b"].pk)} <= filter_values(
        text, "user"
    )
    assert {bulk.LOG_REJECT, certificates.LOG_REVOKE} <= filter_values(text, "action")
    assert certificate_type in filter_values(text, "object_type")

    # Asking for the other course's user or action by hand shows nothing of theirs.
    client.force_login(world["instructor_a"])
    response = client.get(REPORT, {"user": world["instructor_b"].pk})
    assert response.status_code == 200 and "別所" not in response.content.decode()
    response = client.get(REPORT, {"action": certificates.LOG_REVOKE})
    assert certificate.serial not in response.content.decode()


def test_a_cohort_instructor_sees_the_course_an_instructor_of_none_sees_nothing(client, world):
    spring = cohort(world["course_a"], name="春期")
    teacher = InstructorFactory(last_name="期担当", first_name="花")
    spring.instructors.add(teacher)
    enrollment = services.enrollment_create(
        user=TraineeFactory(last_name="春野"), course=world["course_a"], cohort=spring
    )
    bulk.enrollments_decide_logged(
        enrollments=[enrollment], actor=world["instructor_a"], approve=True, message=""
    )
    decided(world["course_b"], world["instructor_b"], last_name="秋山")
    rows = report_rows(client, teacher)
    assert "春野" in rows and "秋山" not in rows
    nobody = InstructorFactory(last_name="無担当")
    rows = report_rows(client, nobody)
    assert "春野" not in rows and "秋山" not in rows
    assert CourseLogEntry.objects.viewable_by_user(nobody).count() == 0
    assert CourseLogEntry.objects.viewable_by_user(teacher).count() == 1
    assert CourseLogEntry.objects.viewable_by_user(world["admin"]).count() == 2


# The session and user, the user's permissions, the instructor check, the admin's frame
# (menu, locales, page and collection permissions), for each log model (pages, models,
# course entries) one query for each of the report's filters (actions, users, types), the
# count and the page of rows (the union), then the entries of the page with their users,
# types and logged objects. Wagtail shows 50 rows a page: the URL of each trainee's record
# costs one permission query of its viewset (up to 50, whatever the number of entries).
ROW_URL_CHECKS = 0
REPORT_QUERIES = 39 + ROW_URL_CHECKS


@pytest.mark.parametrize("size", [60, 150])
def test_the_report_costs_the_same_at_any_number_of_entries(
    client, world, size, django_assert_num_queries
):
    mine = decided(world["course_a"], world["instructor_a"], last_name="受講")
    theirs = decided(world["course_b"], world["instructor_b"], last_name="他")
    for _ in range(size):
        log(instance=mine, action=bulk.LOG_APPROVE, user=world["instructor_a"])
        log(instance=theirs, action=bulk.LOG_APPROVE, user=world["instructor_b"])
    client.force_login(world["instructor_a"])
    client.get(REPORT)  # warm the caches of the admin's frame
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(REPORT)
    assert response.status_code == 200
    rows = report_rows(client, world["instructor_a"])
    assert rows.count("空き家活用講座") == 50 and "共生サロン講座" not in rows


# --- The migration -----------------------------------------------------------------------------
def test_the_migration_moves_existing_entries_with_their_course(world):
    migration = importlib.import_module("lms.courses.migrations.0004_course_log_entry")
    mine = services.enrollment_create(user=TraineeFactory(), course=world["course_a"])
    spring = cohort(world["course_b"], name="春期")
    enrollment_type = ContentType.objects.get_for_model(Enrollment)
    cohort_type = ContentType.objects.get_for_model(Cohort)
    kept = ModelLogEntry.objects.create(
        content_type=enrollment_type,
        object_id=str(mine.pk),
        label="旧エントリ",
        action=bulk.LOG_APPROVE,
        timestamp=mine.created_at,
        user=world["instructor_a"],
        data={"to_status": "active", "message": "ようこそ"},
    )
    ModelLogEntry.objects.create(
        content_type=cohort_type,
        object_id=str(spring.pk),
        label="春期",
        action="wagtail.edit",
        timestamp=mine.created_at,
        user=world["instructor_b"],
    )
    other = ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(TraineeFactory._meta.model),
        object_id="1",
        label="ユーザー",
        action="wagtail.edit",
        timestamp=mine.created_at,
    )

    migration.move_entries(global_apps, None)

    assert list(ModelLogEntry.objects.values_list("pk", flat=True)) == [other.pk]
    moved = CourseLogEntry.objects.get(content_type=enrollment_type)
    assert (moved.object_id, moved.course_id, moved.enrollment_id) == (
        str(mine.pk),
        world["course_a"].pk,
        mine.pk,
    )
    assert (moved.label, moved.action, moved.user, moved.data, moved.timestamp) == (
        kept.label,
        kept.action,
        kept.user,
        kept.data,
        kept.timestamp,
    )
    on_cohort = CourseLogEntry.objects.get(content_type=cohort_type)
    assert (on_cohort.course_id, on_cohort.enrollment_id) == (world["course_b"].pk, None)

    migration.move_entries_back(global_apps, None)
    assert CourseLogEntry.objects.count() == 0
    assert ModelLogEntry.objects.filter(content_type=enrollment_type, action=bulk.LOG_APPROVE)


def test_course_objects_belong_to_their_course(client, world):
    from tests.assessments.test_admin_grading import make_quiz
    from tests.factories import fieldwork as ff

    spring = cohort(world["course_a"], name="春期")
    quiz = make_quiz(world["course_a"], title="確認A")
    requirement = ff.requirement(world["course_b"])
    for instance, user in (
        (spring, world["instructor_a"]),
        (quiz, world["instructor_a"]),
        (requirement, world["instructor_b"]),
    ):
        log(instance=instance, action="wagtail.edit", user=user)
    scopes = {
        (e.content_type.model, e.course_id, e.enrollment_id)
        for e in CourseLogEntry.objects.select_related("content_type")
    }
    assert scopes == {
        ("cohort", world["course_a"].pk, None),
        ("quiz", world["course_a"].pk, None),
        ("fieldworkrequirement", world["course_b"].pk, None),
    }
    visible_a = CourseLogEntry.objects.viewable_by_user(world["instructor_a"])
    assert {e.content_type.model for e in visible_a} == {"cohort", "quiz"}
    visible_b = CourseLogEntry.objects.viewable_by_user(world["instructor_b"])
    assert {e.content_type.model for e in visible_b} == {"fieldworkrequirement"}
    rows = report_rows(client, world["instructor_a"])
    assert "空き家活用講座 春期" in rows and "確認A" in rows
    rows = report_rows(client, world["instructor_b"])
    assert "春期" not in rows and "確認A" not in rows

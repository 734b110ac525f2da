"""The audit log of an instructor named only on a cohort: the site history report, its
"user" filter and each record's history show them their cohort's trainees' records and
the course's own objects, nothing of the course's other cohorts (the rule of the
enrollment admin, the gradebook and the cohort dashboards). The course's instructors and
superusers see everything of the course; another course's instructor nothing."""

import pytest
from wagtail.log_actions import log

from lms.assessments import services as assessments
from lms.assessments.models import Answer
from lms.certificates import services as certificates
from lms.courses import bulk, services
from lms.courses.models import CourseInstructor, CourseLogEntry, LessonProgress
from lms.fieldwork import services as fieldwork
from tests.assessments.test_admin_grading import make_quiz, single_block, take
from tests.audit.conftest import REPORT, filter_values, report, report_rows, text_of
from tests.audit.test_report_scope import REPORT_QUERIES
from tests.certificates.factories import private_storage, templates  # noqa: F401
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db


def record_of(course, group, actor, *, name, note):
    """A trainee of ``group`` approved, graded by hand, with fieldwork approved and a
    certificate issued, every decision by ``actor`` and marked with ``note``."""
    enrollment = services.enrollment_create(
        user=TraineeFactory(last_name=name, first_name="太郎"), course=course, cohort=group
    )
    bulk.enrollments_decide_logged(
        enrollments=[enrollment], actor=actor, approve=True, message=f"{note}のご案内"
    )
    enrollment.refresh_from_db()
    attempt = take(
        course.quiz, enrollment.user, {"q-single": {"choice": "c2"}, "q-two": {"choice": "c1"}}
    )
    assessments.answer_override(
        answer=Answer.objects.get(attempt=attempt, question_id="q-single"),
        actor=actor,
        score="1",
        reason=f"{note}の採点見直し",
    )
    entry = ff.entry(enrollment, status="submitted", site=f"{note}の現場")
    fieldwork.entry_review(
        entry=entry, actor=actor, decision="approve", comment=f"{note}の確認", notify=False
    )
    for lesson in lessons_of(course):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson)
    certificate = certificates.certificate_issue(enrollment=enrollment, actor=actor)
    return {"enrollment": enrollment, "attempt": attempt, "entry": entry, "cert": certificate}


@pytest.fixture
def scene(site_tree):
    """Course A (空き家活用講座) named on 講師 一郎, with a spring cohort taught only by
    春担当 花 and an autumn cohort taught only by 秋担当 実, a trainee in each; course B
    (共生サロン講座) named on 別所 二郎 with a trainee; a superuser. Then a regrade of A's
    quiz by 講師 一郎 (an entry on the quiz, and one on each trainee's attempt)."""
    templates()
    course_a = course_tree(site_tree, slug="akiya", title="空き家活用講座", policy="approval")
    course_b = course_tree(site_tree, slug="salon", title="共生サロン講座", policy="approval")
    instructor_a = InstructorFactory(last_name="講師", first_name="一郎")
    instructor_b = InstructorFactory(last_name="別所", first_name="二郎")
    CourseInstructor(page=course_a, user=instructor_a).save()
    CourseInstructor(page=course_b, user=instructor_b).save()
    spring, autumn = cohort(course_a, name="春期"), cohort(course_a, name="秋期")
    spring_teacher = InstructorFactory(last_name="春担当", first_name="花")
    autumn_teacher = InstructorFactory(last_name="秋担当", first_name="実")
    spring.instructors.add(spring_teacher)
    autumn.instructors.add(autumn_teacher)
    for course, title in ((course_a, "確認A"), (course_b, "確認B")):
        course.quiz = make_quiz(
            course,
            single_block(),
            single_block(qid="q-two"),
            title=title,
            required_for_completion=False,
        )
    records = {
        "spring": record_of(course_a, spring, spring_teacher, name="春野", note="春"),
        "autumn": record_of(course_a, autumn, autumn_teacher, name="秋山", note="秋"),
        "other": record_of(course_b, None, instructor_b, name="冬木", note="冬"),
    }
    corrected = course_a.quiz.question_snapshot("q-two")
    for choice in corrected["choices"]:
        choice["correct"] = choice["id"] == "c2"
    assessments.quiz_regrade(
        quiz=course_a.quiz,
        question_id="q-two",
        corrected_question=corrected,
        actor=instructor_a,
        reason="正解の設定誤り",
    )
    return {
        "course_a": course_a,
        "course_b": course_b,
        "instructor_a": instructor_a,
        "instructor_b": instructor_b,
        "spring_teacher": spring_teacher,
        "autumn_teacher": autumn_teacher,
        "admin": UserFactory(is_superuser=True, is_staff=True, last_name="管理", first_name="者"),
        **records,
    }


def entries_of(record) -> set[int]:
    """The ids of the log entries about a trainee's records (all four kinds)."""
    return set(
        CourseLogEntry.objects.filter(enrollment=record["enrollment"]).values_list("pk", flat=True)
    )


def test_every_kind_of_record_is_logged_with_its_enrollment(scene):
    for key in ("spring", "autumn"):
        record = scene[key]
        kinds = set(
            CourseLogEntry.objects.filter(enrollment=record["enrollment"]).values_list(
                "content_type__model", "action"
            )
        )
        assert {
            ("enrollment", bulk.LOG_APPROVE),
            ("attempt", assessments.LOG_OVERRIDE),
            ("attempt", assessments.LOG_ATTEMPT_REGRADE),
            ("fieldworkentry", fieldwork.LOG_APPROVE),
            ("certificate", certificates.LOG_ISSUE),
        } <= kinds, kinds
    regrade = CourseLogEntry.objects.get(action=assessments.LOG_REGRADE)
    assert (regrade.course_id, regrade.enrollment_id) == (scene["course_a"].pk, None)


def test_a_cohort_instructor_sees_their_cohort_and_the_course_objects_only(scene):
    visible = set(
        CourseLogEntry.objects.viewable_by_user(scene["spring_teacher"]).values_list(
            "pk", flat=True
        )
    )
    regrade = CourseLogEntry.objects.get(action=assessments.LOG_REGRADE).pk
    assert visible == entries_of(scene["spring"]) | {regrade}
    assert not visible & entries_of(scene["autumn"])
    assert not visible & entries_of(scene["other"])
    autumn = set(
        CourseLogEntry.objects.viewable_by_user(scene["autumn_teacher"]).values_list(
            "pk", flat=True
        )
    )
    assert autumn == entries_of(scene["autumn"]) | {regrade}


def test_the_report_shows_a_cohort_instructor_nothing_of_another_cohort(client, scene):
    rows = report_rows(client, scene["spring_teacher"])
    for seen in ("春野", "春担当 花", "春の採点見直し", "春の確認", scene["spring"]["cert"].serial):
        assert seen in rows, seen
    assert "確認A" in rows and "正解の設定誤り" in rows  # the regrade of the course's quiz
    for hidden in (
        "秋山",
        "秋担当",
        "秋のご案内",
        "秋の採点見直し",
        "秋の確認",
        scene["autumn"]["cert"].serial,
        "冬木",
        "別所",
        "確認B",
    ):
        assert hidden not in rows, hidden

    # Asking for the other cohort's instructor or action by hand shows nothing of theirs.
    client.force_login(scene["spring_teacher"])
    response = client.get("/admin/reports/site-history/", {"user": scene["autumn_teacher"].pk})
    assert response.status_code == 200
    assert "秋山" not in text_of(response) and scene["autumn"]["cert"].serial not in text_of(
        response
    )
    response = client.get("/admin/reports/site-history/", {"action": certificates.LOG_ISSUE})
    text = text_of(response)
    assert scene["spring"]["cert"].serial in text
    assert scene["autumn"]["cert"].serial not in text


def test_the_user_filter_offers_a_cohort_instructor_no_actor_of_another_cohort(client, scene):
    users = filter_values(report(client, scene["spring_teacher"]), "user")
    assert str(scene["spring_teacher"].pk) in users
    assert str(scene["instructor_a"].pk) in users  # the course's quiz regrade
    assert str(scene["autumn_teacher"].pk) not in users
    assert str(scene["instructor_b"].pk) not in users

    for user in (scene["instructor_a"], scene["admin"]):
        users = filter_values(report(client, user), "user")
        assert {str(scene["spring_teacher"].pk), str(scene["autumn_teacher"].pk)} <= users
    assert str(scene["instructor_b"].pk) in filter_values(report(client, scene["admin"]), "user")
    assert str(scene["instructor_b"].pk) not in filter_values(
        report(client, scene["instructor_a"]), "user"
    )


def test_the_course_instructor_and_a_superuser_see_every_cohort(client, scene):
    course_a = entries_of(scene["spring"]) | entries_of(scene["autumn"])
    for user in (scene["instructor_a"], scene["admin"]):
        visible = set(CourseLogEntry.objects.viewable_by_user(user).values_list("pk", flat=True))
        assert course_a <= visible
        rows = report_rows(client, user)
        for seen in ("春野", "秋山", "春の採点見直し", "秋の採点見直し", "秋の確認"):
            assert seen in rows, (user, seen)
        assert scene["autumn"]["cert"].serial in rows
    admin_visible = set(
        CourseLogEntry.objects.viewable_by_user(scene["admin"]).values_list("pk", flat=True)
    )
    assert entries_of(scene["other"]) <= admin_visible
    instructor_visible = set(
        CourseLogEntry.objects.viewable_by_user(scene["instructor_a"]).values_list("pk", flat=True)
    )
    assert not instructor_visible & entries_of(scene["other"])


def test_another_course_instructor_sees_nothing_of_the_course(client, scene):
    visible = CourseLogEntry.objects.viewable_by_user(scene["instructor_b"])
    assert set(visible.values_list("pk", flat=True)) == entries_of(scene["other"])
    assert not visible.filter(course=scene["course_a"]).exists()
    rows = report_rows(client, scene["instructor_b"])
    assert "冬木" in rows
    for hidden in ("春野", "秋山", "確認A", "正解の設定誤り", "講師 一郎", "春担当", "秋担当"):
        assert hidden not in rows, hidden
    users = filter_values(report(client, scene["instructor_b"]), "user")
    assert (
        not {str(scene[key].pk) for key in ("instructor_a", "spring_teacher", "autumn_teacher")}
        & users
    )


def test_the_history_of_another_cohorts_enrollment_and_certificate_is_refused(client, scene):
    views = (
        ("/admin/enrollments/history/{}/", "enrollment", "春のご案内"),
        ("/admin/certificates/history/{}/", "cert", scene["spring"]["cert"].serial),
    )
    client.force_login(scene["spring_teacher"])
    for url, key, text in views:
        mine = client.get(url.format(scene["spring"][key].pk))
        assert mine.status_code == 200 and text in text_of(mine), url
        assert client.get(url.format(scene["autumn"][key].pk)).status_code == 404, url
    for user in (scene["instructor_a"], scene["admin"]):
        client.force_login(user)
        for url, key, _text in views:
            assert client.get(url.format(scene["autumn"][key].pk)).status_code == 200, url
    client.force_login(scene["instructor_b"])
    for url, key, _text in views:
        assert client.get(url.format(scene["spring"][key].pk)).status_code == 404, url


def test_a_cohort_instructor_named_on_the_course_too_sees_every_cohort(scene):
    CourseInstructor(page=scene["course_a"], user=scene["spring_teacher"]).save()
    visible = set(
        CourseLogEntry.objects.viewable_by_user(scene["spring_teacher"]).values_list(
            "pk", flat=True
        )
    )
    assert entries_of(scene["autumn"]) <= visible
    assert not visible & entries_of(scene["other"])


def test_an_inactive_or_non_instructor_user_sees_nothing(scene):
    trainee = scene["spring"]["enrollment"].user
    assert not CourseLogEntry.objects.viewable_by_user(trainee).exists()
    scene["spring_teacher"].is_active = False
    scene["spring_teacher"].save()
    teacher = type(scene["spring_teacher"]).objects.get(pk=scene["spring_teacher"].pk)
    assert not CourseLogEntry.objects.viewable_by_user(teacher).exists()


@pytest.mark.parametrize("size", [60, 150])
def test_the_report_costs_a_cohort_instructor_the_same_at_any_size(
    client, site_tree, size, django_assert_num_queries
):
    """As many queries as for the course's instructor (``REPORT_QUERIES``), at any size."""
    course = course_tree(site_tree, slug="akiya", title="空き家活用講座", policy="approval")
    spring, autumn = cohort(course, name="春期"), cohort(course, name="秋期")
    teacher = InstructorFactory(last_name="春担当")
    spring.instructors.add(teacher)
    mine, theirs = (
        services.enrollment_create(user=TraineeFactory(last_name=name), course=course, cohort=c)
        for name, c in (("春野", spring), ("秋山", autumn))
    )
    for _ in range(size):
        log(instance=mine, action=bulk.LOG_APPROVE, user=teacher)
        log(instance=theirs, action=bulk.LOG_APPROVE, user=teacher)
    client.force_login(teacher)
    client.get(REPORT)  # warm the caches of the admin's frame
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(REPORT)
    assert response.status_code == 200
    rows = report_rows(client, teacher)
    assert rows.count("春野") == 50 and "秋山" not in rows


def test_the_history_of_another_cohorts_attempt_and_fieldwork_is_refused(client, scene):
    views = (
        ("/admin/quiz-attempts/history/{}/", "attempt", "春の採点見直し"),
        ("/admin/fieldwork/history/{}/", "entry", "春の確認"),
    )
    client.force_login(scene["spring_teacher"])
    for url, key, text in views:
        mine = client.get(url.format(scene["spring"][key].pk))
        assert mine.status_code == 200 and text in text_of(mine), url
        assert client.get(url.format(scene["autumn"][key].pk)).status_code == 404, url
    for user in (scene["instructor_a"], scene["admin"]):
        client.force_login(user)
        for url, key, _text in views:
            other = client.get(url.format(scene["autumn"][key].pk))
            assert other.status_code == 200 and "秋" in text_of(other), url
    client.force_login(scene["instructor_b"])
    for url, key, _text in views:
        assert client.get(url.format(scene["spring"][key].pk)).status_code == 404, url

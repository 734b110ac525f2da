"""Enroll, read, mark complete, continue, dashboard; and query budgets at two sizes."""

import pytest

from lms.courses import services
from lms.courses.models import Enrollment, LessonProgress
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db


def test_enroll_read_complete_continue_and_dashboard(client, site_tree):
    course = course_tree(site_tree, slug="basics", lessons=3, modules=2)
    trainee = TraineeFactory()
    client.force_login(trainee)
    response = client.post(f"/learn/courses/{course.pk}/enroll/", follow=True)
    assert "受講登録が完了しました" in response.content.decode()
    first, second, third = lessons_of(course)

    response = client.get(f"/learn/courses/{course.pk}/continue/")
    assert response.url == first.url
    response = client.post(f"/learn/lessons/{first.pk}/complete/")
    assert response.url == second.url  # straight on to the next lesson
    response = client.get(f"/learn/courses/{course.pk}/continue/")
    assert response.url == second.url

    html = client.get(second.url).content.decode()
    assert f'href="{first.url}"' in html and f'href="{third.url}"' in html  # prev / next

    dashboard = client.get("/learn/mypage/").content.decode()
    assert course.title in dashboard
    assert 'value="33"' in dashboard  # 1 of 3 lessons


def test_moving_or_unpublishing_lessons_keeps_what_was_completed(site_tree):
    from lms.courses.selectors import course_outline, enrollment_progress

    course = course_tree(site_tree, slug="basics", lessons=4, modules=2)
    trainee = TraineeFactory()
    enrollment = services.enrollment_create(user=trainee, course=course)
    lessons = lessons_of(course)
    services.lesson_complete(enrollment=enrollment, lesson=lessons[0])
    services.lesson_complete(enrollment=enrollment, lesson=lessons[3])
    progress = enrollment_progress(enrollment, course_outline(course))
    assert (progress.completed, progress.total) == (2, 4)

    lessons[3].unpublish()
    progress = enrollment_progress(enrollment, course_outline(course))
    assert (progress.completed, progress.total) == (1, 3)
    # Moving a completed lesson to the other module keeps it completed.
    first_module = lessons[2].get_parent()
    lessons[0].specific.move(first_module, pos="last-child")
    progress = enrollment_progress(enrollment, course_outline(course))
    assert (progress.completed, progress.total) == (1, 3)
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2


def test_deleting_a_lesson_with_progress_is_refused_in_the_admin(client, site_tree):
    from tests.factories.accounts import UserFactory

    course = course_tree(site_tree, slug="basics", lessons=2)
    enrollment = services.enrollment_create(user=TraineeFactory(), course=course)
    lesson = lessons_of(course)[0]
    services.lesson_complete(enrollment=enrollment, lesson=lesson)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(f"/admin/pages/{lesson.pk}/delete/", follow=True)
    assert "削除できません" in response.content.decode()
    assert lesson.__class__.objects.filter(pk=lesson.pk).exists()
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert course.__class__.objects.filter(pk=course.pk).exists()


def test_waiting_list_position_on_the_dashboard(client, site_tree):
    course = course_tree(site_tree, slug="full")
    cohort(course, capacity=1)
    services.enrollment_create(user=TraineeFactory(), course=course)
    services.enrollment_create(user=TraineeFactory(), course=course)
    me = TraineeFactory()
    services.enrollment_create(user=me, course=course)
    client.force_login(me)
    html = client.get("/learn/mypage/").content.decode()
    assert "キャンセル待ち" in html and "2" in html


def _enrolled_client(client, site_tree, lessons):
    course = course_tree(site_tree, slug=f"size-{lessons}", lessons=lessons, modules=2)
    trainee = TraineeFactory()
    enrollment = services.enrollment_create(user=trainee, course=course)
    all_lessons = lessons_of(course)
    services.lesson_complete(enrollment=enrollment, lesson=all_lessons[0])
    client.force_login(trainee)
    return course, all_lessons


QUERIES_LESSON = 12
# Course page and dashboard: +1 each for the fieldwork requirement panel (one query when the
# courses have no requirement; see lms.fieldwork.selectors.progress_panel). Course page: +1
# for its quiz pages (lms.assessments' course_quizzes: one query when there are none).
# Both: +5 for the certificate panel (lms.certificates' certificate_status: the user's
# enrollments, then ``eligibilities`` of the active ones: lessons, progress, quizzes,
# fieldwork requirements; the certificates query only when an enrollment is completed).
QUERIES_COURSE = 25
QUERIES_DASHBOARD = 12


@pytest.mark.parametrize("lessons", [10, 200])
def test_lesson_page_queries_do_not_grow_with_the_course(
    client, site_tree, django_assert_num_queries, lessons
):
    course, all_lessons = _enrolled_client(client, site_tree, lessons)
    client.get(all_lessons[1].url)
    with django_assert_num_queries(QUERIES_LESSON):
        response = client.get(all_lessons[1].url)
    assert response.status_code == 200


@pytest.mark.parametrize("lessons", [10, 200])
def test_course_page_queries_do_not_grow_with_the_course(
    client, site_tree, django_assert_num_queries, lessons
):
    course, _ = _enrolled_client(client, site_tree, lessons)
    client.get(course.url)  # warm the navigation cache, as on any running site
    with django_assert_num_queries(QUERIES_COURSE):
        response = client.get(course.url)
    assert response.status_code == 200


@pytest.mark.parametrize("lessons", [10, 200])
def test_dashboard_queries_do_not_grow_with_the_course(
    client, site_tree, django_assert_num_queries, lessons
):
    _enrolled_client(client, site_tree, lessons)
    client.get("/learn/mypage/")
    with django_assert_num_queries(QUERIES_DASHBOARD):
        response = client.get("/learn/mypage/")
    assert response.status_code == 200
    assert Enrollment.objects.count() == 1

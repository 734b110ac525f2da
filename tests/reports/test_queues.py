"""The review queues on the Wagtail admin home: counts and links per instructor's courses."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from lms.accounts.roles import is_instructor
from lms.assessments.models import Answer, Attempt, Quiz
from lms.courses.models import CourseInstructor, Enrollment
from lms.reports.queues import selectors
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree
from tests.factories.fieldwork import entry

pytestmark = pytest.mark.django_db
HOME = "/admin/"
PANEL = 'id="review-queues'

#: The whole admin home as an instructor with work waiting, whatever the number of
#: courses and waiting items.
HOME_QUERIES = 27


def ja(message):
    with translation.override("ja"):
        return gettext(message)


def ja_count(singular, plural, count):
    with translation.override("ja"):
        return ngettext(singular, plural, count) % {"counter": count}


def pending_label(count):
    return ja_count(
        "%(counter)s enrollment awaiting approval",
        "%(counter)s enrollments awaiting approval",
        count,
    )


def fieldwork_label(count):
    return ja_count(
        "%(counter)s fieldwork entry awaiting review",
        "%(counter)s fieldwork entries awaiting review",
        count,
    )


def essays_label(count):
    return ja_count(
        "%(counter)s essay answer awaiting a grade",
        "%(counter)s essay answers awaiting a grade",
        count,
    )


def essay_question():
    return {
        "type": "essay",
        "id": "q-essay",
        "value": {
            "text": "<p>地域の課題を一つ挙げてください。</p>",
            "points": "5",
            "category": None,
            "feedback": "",
            "explanation": "",
            "rubric": "",
        },
    }


def submitted_essay(quiz, enrollment, *, answers=1, number=1):
    """A submitted attempt with ``answers`` essay answers waiting for a grade."""
    attempt = Attempt.objects.create(
        quiz=quiz,
        user_id=enrollment.user_id,
        enrollment=enrollment,
        number=number,
        status=Attempt.Status.SUBMITTED,
        submitted_at=timezone.now(),
        max_score=Decimal("5") * answers,
    )
    for position in range(answers):
        Answer.objects.create(
            attempt=attempt,
            position=position,
            question_id=f"q-essay-{position}",
            question=essay_question(),
            response={"text": "空き家を交流拠点にする。"},
            max_score=Decimal("5"),
            needs_manual=True,
        )
    return attempt


def fill(course, *, items, quiz=None, group=None):
    """``items`` of each queue in ``course``: pending enrollments, fieldwork entries
    awaiting review, essay answers awaiting a grade; plus work already done, not counted."""
    quiz = quiz or Quiz.objects.create(title=f"{course.title} テスト", course=course)
    for _n in range(items):
        Enrollment.objects.create(
            user=UserFactory(verified=False),
            course=course,
            cohort=group,
            status=Enrollment.Status.PENDING,
        )
        active = Enrollment.objects.create(
            user=UserFactory(verified=False),
            course=course,
            cohort=group,
            status=Enrollment.Status.ACTIVE,
        )
        entry(active, status="submitted")
        entry(active, status="approved")  # done: not in the queue
        entry(active, status="draft")  # the trainee's own: never in the queue
        submitted_essay(quiz, active)
    return quiz


@pytest.fixture
def courses(site_tree):
    return (
        course_tree(site_tree, slug="taught", title="空き家活用講座", lessons=1),
        course_tree(site_tree, slug="other", title="共生サロン講座", lessons=1),
    )


@pytest.fixture
def instructor(courses):
    user = InstructorFactory()
    CourseInstructor(page=courses[0], user=user).save()
    return user


@pytest.fixture
def other_instructor(courses):
    user = InstructorFactory()
    CourseInstructor(page=courses[1], user=user).save()
    return user


def panel(response) -> str:
    body = response.content.decode()
    start = body.find(PANEL)
    if start == -1:
        return ""
    end = body.find("</section>", start)
    return html.unescape(body[start:end])


def links(text: str) -> dict[str, str]:
    """{href: link text} of the panel."""
    return {
        href: re.sub(r"\s+", " ", label).strip()
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', text, re.S)
    }


def test_an_instructor_sees_only_their_own_courses_counts_and_links(
    client, courses, instructor, other_instructor
):
    taught, other = courses
    fill(taught, items=2)
    fill(other, items=3)
    client.force_login(instructor)

    response = client.get(HOME)

    assert response.status_code == 200
    text = panel(response)
    assert "空き家活用講座" in text and "共生サロン講座" not in text
    found = links(text)
    assert found[f"/admin/enrollments/?course={taught.pk}&status=pending"] == "2"
    assert found[f"/admin/fieldwork/?course={taught.pk}&status=submitted"] == "2"
    quiz = Quiz.objects.get(course=taught)
    assert found[f"/admin/quiz-attempts/grading/?quiz={quiz.pk}"] == "2"
    assert found["/admin/enrollments/?status=pending"] == pending_label(2)
    assert found["/admin/fieldwork/?status=submitted"] == fieldwork_label(2)
    assert found["/admin/quiz-attempts/grading/"] == essays_label(2)
    assert not any(str(other.pk) in href for href in found)

    client.force_login(other_instructor)
    text = panel(client.get(HOME))
    assert "共生サロン講座" in text and "空き家活用講座" not in text
    assert links(text)[f"/admin/enrollments/?course={other.pk}&status=pending"] == "3"


def test_the_links_lead_to_the_rows_that_were_counted(client, courses, instructor):
    taught, other = courses
    fill(taught, items=2)
    fill(other, items=1)
    client.force_login(instructor)
    found = links(panel(client.get(HOME)))

    enrollments = client.get(f"/admin/enrollments/?course={taught.pk}&status=pending")
    assert enrollments.status_code == 200
    pending = Enrollment.objects.filter(course=taught, status="pending")
    assert all(f"enrollment_{e.pk}_title" in enrollments.content.decode() for e in pending)
    assert enrollments.content.decode().count('class="bulk-action-checkbox"') == 2

    fieldwork = client.get(next(h for h in found if h.startswith("/admin/fieldwork/?course")))
    assert fieldwork.status_code == 200
    assert fieldwork.content.decode().count("fieldwork_entry_") == 2

    grading = client.get(next(h for h in found if h.startswith("/admin/quiz-attempts/grading/?")))
    assert grading.status_code == 200
    assert grading.content.decode().count("/admin/quiz-attempts/") >= 2


def test_a_superuser_sees_every_course(client, courses):
    taught, other = courses
    fill(taught, items=1)
    fill(other, items=4)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    found = links(panel(client.get(HOME)))

    assert found[f"/admin/enrollments/?course={taught.pk}&status=pending"] == "1"
    assert found[f"/admin/enrollments/?course={other.pk}&status=pending"] == "4"
    assert found["/admin/enrollments/?status=pending"] == pending_label(5)


def test_a_cohort_instructor_counts_what_the_listing_shows_them(client, courses):
    taught, _other = courses
    spring = cohort(taught, name="第1期")
    autumn = cohort(taught, name="第2期")
    quiz = fill(taught, items=2, group=spring)
    fill(taught, items=3, group=autumn, quiz=quiz)
    teacher = InstructorFactory()
    spring.instructors.add(teacher)

    queues = selectors.review_queues(teacher)

    # A cohort's instructor sees that cohort's trainees only: in the enrollment listing, the
    # fieldwork review and the grading queue alike.
    assert [(c.title, c.pending_enrollments) for c in queues.courses] == [("空き家活用講座", 2)]
    assert queues.fieldwork_entries == 2
    assert queues.essay_answers == 2


def test_other_admin_users_and_trainees_see_no_panel(client, courses):
    fill(courses[0], items=1)
    editors = Group.objects.create(name="Site reviewers")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    editor = UserFactory()
    editor.groups.add(editors)
    client.force_login(editor)
    response = client.get(HOME)
    assert response.status_code == 200 and PANEL not in response.content.decode()

    client.force_login(TraineeFactory())
    assert client.get(HOME).status_code == 302  # no admin at all


def test_an_instructor_with_nothing_waiting_is_told_so(client, courses, instructor):
    fill(courses[1], items=2)  # someone else's course
    client.force_login(instructor)
    text = panel(client.get(HOME))
    assert ja("Nothing is waiting for your review in your courses.") in text
    assert not links(text)


def test_graded_essays_and_decided_enrollments_leave_the_queue(courses, instructor):
    taught, _other = courses
    fill(taught, items=2)
    answer = Answer.objects.filter(attempt__quiz__course=taught).first()
    Answer.objects.filter(pk=answer.pk).update(score=Decimal("3"))
    Enrollment.objects.filter(course=taught, status="pending").update(status="active")
    quiz = Quiz.objects.get(course=taught)
    active = Enrollment.objects.filter(course=taught, quiz_attempts__isnull=False).first()
    submitted_essay(quiz, active, answers=3, number=2)

    queues = selectors.review_queues(instructor)

    assert queues.pending_enrollments == 0
    assert queues.essay_answers == 1 + 3
    assert queues.courses[0].only_quiz_id == quiz.pk


@pytest.mark.parametrize("size", [(1, 10), (3, 200)], ids=["1x10", "3x200"])
def test_the_admin_home_costs_the_same_at_two_sizes(
    client, site_tree, django_assert_num_queries, size
):
    course_count, items = size
    instructor = InstructorFactory()
    for n in range(course_count):
        course = course_tree(site_tree, slug=f"c{n}", title=f"講座{n}", lessons=1)
        CourseInstructor(page=course, user=instructor).save()
        fill(course, items=items // course_count)
    client.force_login(instructor)
    client.get(HOME)  # warm the caches every request would have warm

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(HOME)

    assert response.status_code == 200
    assert len(re.findall(r'<th scope="row" class="title">', panel(response))) == course_count
    # Of which the panel's own: one GROUP BY per queue and the course titles.
    assert is_instructor(instructor)  # cached on the user, as during a request
    with django_assert_num_queries(4):
        queues = selectors.review_queues(instructor)
    assert queues.pending_enrollments == queues.fieldwork_entries == queues.essay_answers
    assert queues.essay_answers == items // course_count * course_count

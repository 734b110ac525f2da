"""Attempts under real concurrency: only meaningful on PostgreSQL (row locks)."""

import threading

import pytest
from django.db import connection

from lms.assessments import services
from lms.assessments.models import Attempt
from lms.courses.models import EnrollmentEvent, LessonProgress
from tests.factories import assessments as qf
from tests.factories.courses import course_tree, lessons_of


def _run(count, target):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def work():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors, results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_finish_of_one_attempt_gives_one_grade(site_tree):
    course = course_tree(site_tree, slug="finish", lessons=1)
    lesson = lessons_of(course)[0]
    quiz = qf.make_quiz(course, questions=[qf.single("q1"), qf.single("q2")], lesson=lesson)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.answers_save(
        attempt=attempt, responses={1: {"choice": "q1-1"}, 2: {"choice": "q2-1"}}, version=1
    )

    errors, results = _run(8, lambda: services.attempt_submit(attempt=attempt))

    assert errors == []
    assert len({(r.pk, r.submitted_at, r.score, r.status) for r in results}) == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.passed
    assert LessonProgress.objects.filter(lesson=lesson).count() == 1
    # The course was completed once, by one of the eight requests.
    assert EnrollmentEvent.objects.filter(to_status="completed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_start_gives_one_attempt_then_distinct_numbers(site_tree):
    course = course_tree(site_tree, slug="start", lessons=1)
    quiz = qf.make_quiz(course)
    trainee = qf.enrolled_trainee(course)

    errors, results = _run(10, lambda: services.attempt_start(quiz=quiz, user=trainee).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1

    def start_and_finish_three_times():
        for _ in range(3):
            attempt = services.attempt_start(quiz=quiz, user=trainee)
            services.attempt_submit(attempt=attempt)
        return True

    errors, results = _run(4, start_and_finish_three_times)
    assert errors == []
    numbers = sorted(
        Attempt.objects.filter(quiz=quiz, user=trainee).values_list("number", flat=True)
    )
    assert numbers == list(range(1, len(numbers) + 1))
    # Each thread submitted three different attempts (a start after its own submit never
    # returns the submitted one), so there are at least three; more when the threads did
    # not share open attempts. Fewer would mean a submitted attempt was handed out again.
    assert len(numbers) >= 3

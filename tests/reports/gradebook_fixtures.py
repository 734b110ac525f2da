"""A hand-computed cohort for the gradebook tests, and a fast bulk builder for size tests.

``small_course`` builds, through the apps' own services (attempts, regrade, lesson
completion, certificates), a course whose every figure is written out in ``EXPECTED``.
``bulk_course`` writes many trainees with ``bulk_create`` (no services), for the query
budgets at 10 and 1,000 trainees.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from lms.assessments import services as quiz_services
from lms.assessments.models import Attempt
from lms.certificates import services as certificate_services
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.models import CourseInstructor, Enrollment, LessonPage, LessonProgress
from lms.fieldwork.models import FieldworkEntry
from tests.certificates.factories import templates
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import course_tree, lessons_of


def _site_tree():
    """What the ``site_tree`` fixture builds (pages in ja and en, the role groups)."""
    from django.contrib.auth.models import Group

    from cms.services import instructor_page_permissions_ensure
    from lms.accounts import roles
    from lms.accounts.services import roles_ensure
    from lms.demo.seed import seed_pages

    roles_ensure()
    home = seed_pages(log=lambda message: None)
    instructors = Group.objects.get(name=roles.INSTRUCTORS)
    for page in home.get_translations(inclusive=True):
        instructor_page_permissions_ensure(group=instructors, page=page)
    return home


@pytest.fixture(scope="module")
def small(django_db_setup, django_db_blocker, tmp_path_factory):
    """``small_course`` built once per test module, in a transaction rolled back at the
    end of the module (each test runs in a savepoint inside it, as usual)."""
    storages = {name: dict(value) for name, value in settings.STORAGES.items()}
    storages["private"]["OPTIONS"] = {
        **storages["private"].get("OPTIONS", {}),
        "location": str(tmp_path_factory.mktemp("private")),
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield small_course(_site_tree())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _trainee(last, first, last_kana, first_kana, email):
    return TraineeFactory(
        last_name=last,
        first_name=first,
        last_name_kana=last_kana,
        first_name_kana=first_kana,
        email=email,
    )


def enrolled(course, user, *, cohort=None) -> Enrollment:
    """An active enrollment of ``user`` in ``course`` (and ``cohort``), by the service."""
    return course_services.enrollment_create(user=user, course=course, cohort=cohort)


def _attempt(quiz, user, responses):
    attempt = quiz_services.attempt_start(quiz=quiz, user=user)
    quiz_services.answers_save(attempt=attempt, responses=responses, version=attempt.version)
    return quiz_services.attempt_submit(attempt=attempt)


RIGHT = {1: {"choice": "q1-1"}, 2: {"choice": "q2-1"}}
HALF = {1: {"choice": "q1-1"}, 2: {"choice": "q2-2"}}


def small_course(home):
    """The hand-computed course: see ``EXPECTED`` for every figure.

    - 4 lessons, the 4th not required: 3 required lessons;
    - quizzes: 確認テストA (required, two questions), 確認テストB (required, one),
      任意テストC (optional, one); pass mark 60 %;
    - fieldwork: 5 approved hours required, in 住民ヒアリング and 共生サロン運営補助 only;
    - cohorts 第1期 and 第2期; instructors: ``teacher`` (named on the course) and
      ``cohort_teacher`` (named on 第2期 only, so the course is theirs too).
    """
    templates()
    course = course_tree(
        home, slug="gradebook", lessons=4, title="地域づくり実践講座", total_hours=Decimal("20")
    )
    lessons = lessons_of(course)
    LessonPage.objects.filter(pk=lessons[3].pk).update(required=False)
    first = make_cohort(course, name="第1期")
    second = make_cohort(course, name="第2期")
    teacher = InstructorFactory(email="teacher@example.com")
    CourseInstructor.objects.create(page=course, user=teacher)
    cohort_teacher = InstructorFactory(email="cohort-teacher@example.com")
    second.instructors.add(cohort_teacher)
    ff.requirement(course, hours="5", counted=("hearing", "salon"))
    quiz_a = qf.make_quiz(course, title="確認テストA", questions=[qf.single("q1"), qf.single("q2")])
    quiz_b = qf.make_quiz(course, title="確認テストB", questions=[qf.single("q1")])
    quiz_c = qf.make_quiz(
        course, title="任意テストC", questions=[qf.single("q1")], required_for_completion=False
    )

    # 青木: enrolled, nothing done.
    aoki = enrolled(
        course, _trainee("青木", "一郎", "あおき", "いちろう", "aoki@example.com"), cohort=first
    )

    # 井上: one lesson; quiz A at 50 %, then a regrade makes her answer right (100 %, passed);
    # quiz C failed; 2.5 approved hours that count, 3 that do not, 2.5 awaiting review.
    inoue = enrolled(
        course, _trainee("井上", "花子", "いのうえ", "はなこ", "inoue@example.com"), cohort=first
    )
    course_services.lesson_complete(enrollment=inoue, lesson=lessons[0])
    regraded = _attempt(quiz_a, inoue.user, HALF)
    assert regraded.percentage == Decimal("50.00") and not regraded.passed
    corrected = quiz_a.question_snapshot("q2")
    for choice in corrected["choices"]:
        choice["correct"] = choice["id"] in ("q2-1", "q2-2")
    quiz_services.quiz_regrade(
        quiz=quiz_a,
        question_id="q2",
        corrected_question=corrected,
        actor=teacher,
        reason="二つ目の選択肢も正解",
    )
    regraded.refresh_from_db()
    assert regraded.percentage == Decimal("100.00") and regraded.passed
    _attempt(quiz_c, inoue.user, {1: {"choice": "q1-2"}})
    ff.entry(inoue, status="approved", category="hearing", hours=Decimal("2.5"))
    ff.entry(inoue, status="approved", category="talks", hours=Decimal("3"))
    ff.entry(inoue, status="submitted", category="hearing", hours=Decimal("2.5"))

    # 上田: everything done, certificate issued, then revoked.
    ueda = enrolled(
        course, _trainee("上田", "健", "うえだ", "けん", "ueda@example.com"), cohort=first
    )
    ff.entry(ueda, status="approved", category="hearing", hours=Decimal("5"))
    _attempt(quiz_a, ueda.user, RIGHT)
    _attempt(quiz_b, ueda.user, {1: {"choice": "q1-1"}})
    for lesson in lessons[:3]:
        course_services.lesson_complete(enrollment=ueda, lesson=lesson)
    certificate = Certificate.objects.get(enrollment=ueda)
    assert certificate_services.certificate_render(certificate_id=certificate.pk).status == "issued"
    certificate_services.certificate_revoke(
        certificate=certificate, actor=teacher, reason="提出物に不正が見つかったため"
    )

    # 遠藤: one lesson, three weeks ago; nothing since.
    endo = enrolled(
        course, _trainee("遠藤", "誠", "えんどう", "まこと", "endo@example.com"), cohort=first
    )
    course_services.lesson_complete(enrollment=endo, lesson=lessons[0])
    Enrollment.objects.filter(pk=endo.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=21)
    )

    # 大野 (第2期): quiz A failed once then passed, B passed, 5.5 hours, every lesson:
    # certificate issued.
    ono = enrolled(
        course, _trainee("大野", "愛", "おおの", "あい", "ono@example.com"), cohort=second
    )
    ff.entry(ono, status="approved", category="salon", hours=Decimal("3"))
    ff.entry(ono, status="approved", category="hearing", hours=Decimal("2.5"))
    _attempt(quiz_a, ono.user, {1: {"choice": "q1-2"}, 2: {"choice": "q2-3"}})
    _attempt(quiz_a, ono.user, RIGHT)
    _attempt(quiz_b, ono.user, {1: {"choice": "q1-1"}})
    for lesson in lessons:
        course_services.lesson_complete(enrollment=ono, lesson=lesson)
    certificate = Certificate.objects.get(enrollment=ono)
    assert certificate_services.certificate_render(certificate_id=certificate.pk).status == "issued"

    # Not listed: a withdrawn trainee, an applicant awaiting approval, another course's.
    withdrawn = enrolled(
        course, _trainee("岡田", "学", "おかだ", "まなぶ", "okada@example.com"), cohort=first
    )
    course_services.lesson_complete(enrollment=withdrawn, lesson=lessons[0])
    Enrollment.objects.filter(pk=withdrawn.pk).update(status=Enrollment.Status.WITHDRAWN)
    pending = enrolled(
        course, _trainee("加藤", "翼", "かとう", "つばさ", "kato@example.com"), cohort=first
    )
    Enrollment.objects.filter(pk=pending.pk).update(status=Enrollment.Status.PENDING)
    other = course_tree(home, slug="other", lessons=1, title="別の講座")
    other_teacher = InstructorFactory(email="other-teacher@example.com")
    CourseInstructor.objects.create(page=other, user=other_teacher)
    enrolled(other, _trainee("木村", "拓", "きむら", "たく", "kimura@example.com"))

    return {
        "course": course,
        "other": other,
        "cohorts": (first, second),
        "quizzes": (quiz_a, quiz_b, quiz_c),
        "teacher": teacher,
        "cohort_teacher": cohort_teacher,
        "other_teacher": other_teacher,
        "enrollments": {"aoki": aoki, "inoue": inoue, "ueda": ueda, "endo": endo, "ono": ono},
    }


# Every figure of the small course, worked out by hand from ``small_course``.
# quizzes: {title: (best %, passed, attempts)}; hours: approved hours that count.
EXPECTED = {
    "aoki@example.com": {
        "name": "青木 一郎",
        "cohort": "第1期",
        "progress": 0,
        "lessons": 0,
        "quizzes": {},
        "hours": Decimal("0"),
        "certificate": None,
        "state": "not_started",
        "complete": False,
    },
    "inoue@example.com": {
        "name": "井上 花子",
        "cohort": "第1期",
        "progress": 33,
        "lessons": 1,
        "quizzes": {
            "確認テストA": (Decimal("100.00"), True, 1),
            "任意テストC": (Decimal("0.00"), False, 1),
        },
        "hours": Decimal("2.5"),
        "certificate": None,
        "state": "in_progress",
        "complete": False,
    },
    "ueda@example.com": {
        "name": "上田 健",
        "cohort": "第1期",
        "progress": 100,
        "lessons": 3,
        "quizzes": {
            "確認テストA": (Decimal("100.00"), True, 1),
            "確認テストB": (Decimal("100.00"), True, 1),
        },
        "hours": Decimal("5"),
        "certificate": "revoked",
        "state": "ready",
        "complete": True,
    },
    "endo@example.com": {
        "name": "遠藤 誠",
        "cohort": "第1期",
        "progress": 33,
        "lessons": 1,
        "quizzes": {},
        "hours": Decimal("0"),
        "certificate": None,
        "state": "stalled",
        "complete": False,
    },
    "ono@example.com": {
        "name": "大野 愛",
        "cohort": "第2期",
        "progress": 100,
        "lessons": 3,
        "quizzes": {
            "確認テストA": (Decimal("100.00"), True, 2),
            "確認テストB": (Decimal("100.00"), True, 1),
        },
        "hours": Decimal("5.5"),
        "certificate": "issued",
        "state": "certified",
        "complete": True,
    },
}


def bulk_course(home, *, trainees: int, quizzes: int = 10):
    """A course with ``trainees`` active trainees, ``quizzes`` required quizzes and, per
    trainee, lessons, attempts and fieldwork, written with ``bulk_create`` (fast)."""
    course = course_tree(home, slug=f"bulk-{trainees}", lessons=5, title="大規模講座")
    lessons = lessons_of(course)
    cohort = make_cohort(course, name="第1期")
    teacher = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=teacher)
    ff.requirement(course, hours="10", counted=("hearing",))
    category = ff.categories()["hearing"]
    quiz_list = [
        qf.make_quiz(course, title=f"確認テスト{n:02d}", questions=[qf.single("q1")])
        for n in range(quizzes)
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(
                email=f"bulk{n}@example.com",
                last_name=f"山田{n}",
                first_name="太郎",
                last_name_kana="やまだ",
                first_name_kana=f"たろう{n}",
            )
            for n in range(trainees)
        ]
    )
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                user=user,
                course=course,
                cohort=cohort,
                status=Enrollment.Status.ACTIVE,
                last_activity_at=now - datetime.timedelta(days=n % 30),
            )
            for n, user in enumerate(users)
        ]
    )
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrollment=enrollment, lesson=lesson)
            for n, enrollment in enumerate(enrollments)
            for lesson in lessons[: n % (len(lessons) + 1)]
        ]
    )
    attempts = []
    for n, enrollment in enumerate(enrollments):
        for q, quiz in enumerate(quiz_list):
            if (n + q) % 3 == 0:
                continue
            percentage = Decimal((n * 7 + q * 13) % 101)
            attempts.append(
                Attempt(
                    quiz=quiz,
                    user_id=enrollment.user_id,
                    enrollment=enrollment,
                    number=1,
                    status=Attempt.Status.GRADED,
                    submitted_at=now,
                    graded_at=now,
                    score=percentage / 100,
                    max_score=Decimal(1),
                    percentage=percentage,
                    passed=percentage >= quiz.pass_mark,
                )
            )
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    FieldworkEntry.objects.bulk_create(
        [
            FieldworkEntry(
                enrollment=enrollment,
                status=FieldworkEntry.Status.APPROVED,
                category=category,
                hours=Decimal(n % 12),
                date=now.date(),
            )
            for n, enrollment in enumerate(enrollments)
            if n % 12
        ]
    )
    return {"course": course, "cohort": cohort, "teacher": teacher, "quizzes": quiz_list}

"""A trainee with something of everything: enrollments, progress, quiz attempts, fieldwork
with a photo and a supervisor link, certificates (issued and revoked)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from lms.assessments import services as quiz_services
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.models import Enrollment
from lms.fieldwork import services as fieldwork_services
from lms.fieldwork.models import FieldworkEntry, FieldworkEvent, SupervisorToken
from tests.factories import assessments as qf
from tests.factories import fieldwork as ff
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import course_tree, lessons_of

PDF = b"%PDF-1.4\n% certificate of the test\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test its own private storage."""
    storages_setting = {name: dict(value) for name, value in settings.STORAGES.items()}
    storages_setting["private"]["OPTIONS"] = {
        **storages_setting["private"].get("OPTIONS", {}),
        "location": str(tmp_path / "private"),
    }
    settings.STORAGES = storages_setting
    return tmp_path / "private"


def make_certificate(enrollment, *, sequence, status="issued", name="髙橋 𠮷子") -> Certificate:
    """A certificate row with a stored PDF (the rendering itself is tested elsewhere)."""
    pdf_file = ""
    if status in ("issued", "revoked", "superseded"):
        pdf_file = storages["private"].save(f"certificates/test-{sequence}.pdf", ContentFile(PDF))
    now = timezone.now()
    return Certificate.objects.create(
        enrollment=enrollment,
        serial=f"RPA-2026-{sequence:06d}",
        year=2026,
        sequence=sequence,
        status=status,
        name=name,
        name_kana="たかはし よしこ",
        course_title=enrollment.course.title,
        completed_on=datetime.date(2026, 11, 1),
        language="ja",
        pdf_file=pdf_file,
        issued_at=now if status != "pending" else None,
        revoked_at=now if status == "revoked" else None,
        revoked_reason="不正な記録のため" if status == "revoked" else "",
    )


@dataclass
class World:
    trainee: object
    course: object
    other_course: object
    enrollment: Enrollment
    completed: Enrollment
    quiz: object
    attempt: object
    entry: FieldworkEntry
    attachment: object
    certificate: Certificate
    revoked: Certificate


def add_entry(enrollment, user, *, with_photo=True, **fields):
    entry = ff.entry(
        enrollment,
        supervisor_name="佐藤 受入",
        supervisor_email="sato@host.example.jp",
        supervisor_role="施設長",
        **fields,
    )
    FieldworkEvent.objects.create(
        entry=entry,
        kind="supervisor",
        from_status="pending",
        to_status="confirmed",
        actor_label="受入先担当者 佐藤",
        comment="よく頑張っていました（佐藤）",
        snapshot={"activity": entry.activity, "supervisor_email": entry.supervisor_email},
    )
    SupervisorToken.objects.create(
        entry=entry,
        token_hash=f"{entry.pk:064d}",
        email="sato@host.example.jp",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    attachment = None
    if with_photo:
        attachment = fieldwork_services.attachment_add(
            entry=entry,
            actor=user,
            uploaded=ff.upload("ヒアリングの様子.jpg", ff.image_bytes()),
        )
    return entry, attachment


@pytest.fixture
def world(site_tree):
    ff.categories()
    course = course_tree(site_tree, slug="basics", lessons=2, title="地域プロデューサー基礎")
    other_course = course_tree(site_tree, slug="advanced", lessons=1, title="応用講座")
    trainee = TraineeFactory(
        email="takahashi@example.jp",
        last_name="髙橋",
        first_name="𠮷子",
        last_name_kana="たかはし",
        first_name_kana="よしこ",
    )
    enrollment = course_services.enrollment_create(user=trainee, course=course)
    course_services.lesson_complete(enrollment=enrollment, lesson=lessons_of(course)[0])
    quiz = qf.make_quiz(
        course,
        questions=[qf.single("q1"), qf.essay("q2")],
        review_policy="never",
    )
    attempt = quiz_services.attempt_start(quiz=quiz, user=trainee)
    quiz_services.answer_save(attempt=attempt, position=1, response={"choice": "q1-2"}, version=1)
    quiz_services.answer_save(
        attempt=attempt,
        position=2,
        response={"text": "上田市の空き家を髙橋の実家として活用したい。"},
        version=2,
    )
    attempt = quiz_services.attempt_submit(attempt=attempt)
    entry, attachment = add_entry(enrollment, trainee)

    completed = course_services.enrollment_create(user=trainee, course=other_course)
    Enrollment.objects.filter(pk=completed.pk).update(status=Enrollment.Status.COMPLETED)
    completed.refresh_from_db()
    certificate = make_certificate(completed, sequence=1)
    third_course = course_tree(site_tree, slug="third", lessons=1, title="第三の講座")
    third = course_services.enrollment_create(user=trainee, course=third_course)
    Enrollment.objects.filter(pk=third.pk).update(status=Enrollment.Status.COMPLETED)
    third.refresh_from_db()
    revoked = make_certificate(third, sequence=2, status="revoked")
    return World(
        trainee=trainee,
        course=course,
        other_course=other_course,
        enrollment=enrollment,
        completed=completed,
        quiz=quiz,
        attempt=attempt,
        entry=entry,
        attachment=attachment,
        certificate=certificate,
        revoked=revoked,
    )


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@example.jp", is_superuser=True, is_staff=True, last_name="管理")


@pytest.fixture
def instructor(world):
    return InstructorFactory(email="teacher@example.jp")


@pytest.fixture
def other_trainee(world):
    user = TraineeFactory(email="other@example.jp", last_name="鈴木", first_name="一郎")
    enrollment = course_services.enrollment_create(user=user, course=world.course)
    add_entry(enrollment, user, activity="鈴木の秘密の活動記録", with_photo=False)
    return user

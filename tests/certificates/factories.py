"""Certificate designs and completed enrollments for the certificates tests."""

import pytest

from lms.certificates import services
from lms.certificates.models import CertificateTemplate
from lms.courses import services as course_services
from lms.courses.models import Enrollment
from tests.factories import fieldwork as ff
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort as make_cohort
from tests.factories.courses import lessons_of


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test its own private storage (serials repeat from one test to the next)."""
    storages = {name: dict(value) for name, value in settings.STORAGES.items()}
    storages["private"]["OPTIONS"] = {
        **storages["private"].get("OPTIONS", {}),
        "location": str(tmp_path / "private"),
    }
    settings.STORAGES = storages
    return tmp_path / "private"


JA_BODY = (
    "あなたは「{course}」（{hours}時間）の全課程を修了されました。\n\n"
    "ここにその成果をたたえ、これを証します。"
)
EN_BODY = "has completed the {course} ({hours} hours) on {date}."


def templates() -> dict[str, CertificateTemplate]:
    ja = CertificateTemplate.objects.create(
        name="標準（日本語）",
        language="ja",
        is_default=True,
        title="修了証",
        body=JA_BODY,
        signatory_name="山田 太郎",
        signatory_title="代表理事",
        issuer="一般社団法人 地域プロデューサー協会",
        date_style="japanese_era",
    )
    en = CertificateTemplate.objects.create(
        name="Standard (English)",
        language="en",
        is_default=True,
        title="Certificate of Completion",
        body=EN_BODY,
        signatory_name="Taro Yamada",
        signatory_title="Representative Director",
        issuer="Regional Producer Association",
        date_style="western",
    )
    return {"ja": ja, "en": en}


def trainee(**fields):
    values = {
        "last_name": "髙橋",
        "first_name": "𠮷子",
        "last_name_kana": "たかはし",
        "first_name_kana": "よしこ",
    }
    values.update(fields)
    return TraineeFactory(**values)


def enrolled(course, user=None, *, cohort=None) -> Enrollment:
    enrollment = ff.enrolled(course, user or trainee())
    if cohort is not None:
        Enrollment.objects.filter(pk=enrollment.pk).update(cohort=cohort)
        enrollment.refresh_from_db()
    return enrollment


def complete_lessons(enrollment, course, *, leave=0):
    lessons = lessons_of(course)
    for lesson in lessons[: len(lessons) - leave]:
        course_services.lesson_complete(enrollment=enrollment, lesson=lesson)


def completed(course, user=None, *, cohort=None) -> Enrollment:
    """An enrollment whose every lesson is done: completed, its certificate pending (the
    render runs on commit, which a test wrapped in a transaction does not reach)."""
    enrollment = enrolled(course, user, cohort=cohort)
    complete_lessons(enrollment, course)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    return enrollment


def issued(course, user=None, *, cohort=None):
    """A completed enrollment with its certificate rendered and stored."""
    enrollment = completed(course, user, cohort=cohort)
    certificate = services.certificate_issue(enrollment=enrollment)
    return services.certificate_render(certificate_id=certificate.pk)


__all__ = ["make_cohort"]

"""Demo certificates: the default designs (Japanese and English) and one graduate.

* Two default designs, in the words of the association behind the academy
  (一般社団法人コミュニティネットワーク協会): Japanese with the Japanese era, English with
  the Western calendar.
* 中村 陽子 (``graduate@example.com``, the demo password) completed the demo course
  地域プロデューサー養成講座（基礎）: her lessons are done, her enrollment is completed and
  her certificate is issued and rendered (one render, so the seed stays fast).

Idempotent: designs are found by language before they are created; the graduate's
certificate is issued only once (``certificate_issue`` returns the existing one) and
rendered only while it is not issued yet.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from lms.accounts import roles
from lms.accounts.services import user_assign_role
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateTemplate
from lms.courses.models import CoursePage, Enrollment, LessonPage
from lms.courses.services import enrollment_complete, enrollment_create, lesson_complete

from . import content

COURSE_SLUG = "regional-producer-basics"
GRADUATE = {
    "email": "graduate@example.com",
    "last_name": "中村",
    "first_name": "陽子",
    "last_name_kana": "なかむら",
    "first_name_kana": "ようこ",
}
ISSUER_JA = "一般社団法人コミュニティネットワーク協会"
ISSUER_EN = "Community Network Association"
DESIGNS = [
    {
        "name": "標準デザイン（日本語）",
        "language": "ja",
        "title": "修了証",
        "body": (
            "あなたは当協会が運営する地域プロデューサー養成アカデミーにおいて"
            "「{course}」（{hours}時間）の課程をすべて修了されました。\n\n"
            "子どもから高齢者まで、だれもが支え合って暮らす「100年コミュニティ」を"
            "地域に根づかせる担い手として、これからのご活躍を期待し、ここにこれを証します。"
        ),
        "signatory_name": "山田 太郎",
        "signatory_title": "地域プロデューサー養成アカデミー 学長",
        "issuer": ISSUER_JA,
        "date_style": "japanese_era",
    },
    {
        "name": "Standard design (English)",
        "language": "en",
        "title": "Certificate of Completion",
        "body": (
            "has completed every part of the course {course} ({hours} hours) at the "
            "Regional Producer Academy on {date}.\n\n"
            "We recognise the work done to help build 100-year communities, where people of "
            "every generation live side by side and support each other."
        ),
        "signatory_name": "Taro Yamada",
        "signatory_title": "Principal, Regional Producer Academy",
        "issuer": ISSUER_EN,
        "date_style": "western",
    },
]


def seed_designs(log=print) -> dict[str, CertificateTemplate]:
    designs = {}
    for spec in DESIGNS:
        design = CertificateTemplate.objects.filter(
            language=spec["language"], is_default=True
        ).first()
        if design is None:
            design = CertificateTemplate(is_default=True, **spec)
            design.full_clean()
            design.save()
            log(f"created the certificate design {design.name}")
        designs[spec["language"]] = design
    return designs


def _graduate(log):
    User = get_user_model()
    user = User.objects.filter(email=GRADUATE["email"]).first()
    if user is None:
        user = User(**GRADUATE)
        user.set_password(content.DEMO_PASSWORD)
        user.save()
        log(f"created the user {GRADUATE['email']}")
    user_assign_role(user=user, role=roles.TRAINEES)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed_certificates(*, log=print) -> None:
    """Seed the default designs and the graduate with an issued certificate."""
    seed_designs(log)
    course = CoursePage.objects.filter(slug=COURSE_SLUG, locale__language_code="ja").first()
    if course is None:
        log(f"no course {COURSE_SLUG}: the demo certificate is skipped")
        return
    user = _graduate(log)
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        enrollment = enrollment_create(user=user, course=course)
    if enrollment.status == Enrollment.Status.ACTIVE:
        for lesson in LessonPage.objects.live().descendant_of(course).specific():
            lesson_complete(enrollment=enrollment, lesson=lesson)
        # Her quizzes and fieldwork predate this demo: the academy recorded her completion.
        enrollment = enrollment_complete(enrollment=enrollment)
    if enrollment.status != Enrollment.Status.COMPLETED:
        log(f"{user.email} has not completed the demo course: no demo certificate")
        return
    certificate = services.certificate_issue(enrollment=enrollment)
    if certificate.status in (Certificate.Status.PENDING, Certificate.Status.FAILED):
        certificate = services.certificate_render(certificate_id=certificate.pk)
        log(f"issued the demo certificate {certificate.serial} ({certificate.status})")

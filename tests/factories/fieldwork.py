"""Fieldwork test data: categories, requirements, enrolled trainees, entries, image files."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from lms.courses import services as course_services
from lms.courses.models import Enrollment
from lms.fieldwork.models import ActivityCategory, FieldworkEntry, FieldworkRequirement
from tests.factories.accounts import TraineeFactory

CATEGORIES = [
    ("hearing", "住民ヒアリング", "Hearing residents"),
    ("salon", "共生サロン運営補助", "Helping at a community salon"),
    ("vacant-houses", "空き家調査", "Vacant house survey"),
    ("multigenerational", "多世代交流イベント", "Multigenerational event"),
    ("talks", "行政・事業者との協議", "Talks with the town office and businesses"),
]


def categories() -> dict[str, ActivityCategory]:
    result = {}
    for n, (slug, name, name_en) in enumerate(CATEGORIES):
        result[slug], _ = ActivityCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": n}
        )
    return result


def requirement(course, *, hours="20", counted=("hearing", "salon", "vacant-houses"), **fields):
    cats = categories()
    req = FieldworkRequirement.objects.create(
        course=course, required_hours=Decimal(hours), **fields
    )
    req.categories.set([cats[slug] for slug in counted])
    return req


def enrolled(course, user=None, *, days_ago=60) -> Enrollment:
    """An active enrollment that began ``days_ago`` days ago."""
    user = user or TraineeFactory()
    enrollment = course_services.enrollment_create(user=user, course=course)
    enrollment.created_at = timezone.now() - datetime.timedelta(days=days_ago)
    Enrollment.objects.filter(pk=enrollment.pk).update(created_at=enrollment.created_at)
    return enrollment


def entry(enrollment, *, status="draft", category="hearing", days_ago=1, **fields):
    values = {
        "date": timezone.localdate() - datetime.timedelta(days=days_ago),
        "hours": Decimal("2.5"),
        "prefecture": "nagano",
        "municipality": "上田市",
        "site": "上田市社会福祉協議会",
        "category": categories()[category],
        "activity": "地区の住民10名に聞き取りを行った。",
        "learned": "移動手段の不安が大きいことを知った。",
        "next_steps": "交通事業者との協議に参加する。",
    }
    values.update(fields)
    if status != FieldworkEntry.Status.DRAFT and "submitted_at" not in values:
        values["submitted_at"] = timezone.now()
    return FieldworkEntry.objects.create(enrollment=enrollment, status=status, **values)


def image_bytes(fmt="JPEG", size=(64, 48), *, gps=False, color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        gps_ifd = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}
        exif[0x8825] = gps_ifd
        kwargs["exif"] = exif
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name, content, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )

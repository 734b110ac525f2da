"""Uploads: type by content, bombs, size and quota, path tricks, metadata stripped, errors."""

import io
import struct
import zlib
from unittest import mock

import pytest
from django.core.files.storage import storages
from PIL import Image

from lms.fieldwork import services
from lms.fieldwork.models import FieldworkAttachment
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def draft(site_tree):
    return entry(enrolled(course_tree(site_tree, slug="fw")))


def _stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(draft, uploaded, private_storage):
    with pytest.raises(services.ValidationError) as exc_info:
        services.attachment_add(entry=draft, actor=draft.enrollment.user, uploaded=uploaded)
    assert not FieldworkAttachment.objects.exists()
    assert _stored_files(private_storage) == []
    return exc_info.value.messages[0]


def test_html_with_a_jpeg_name_is_refused(draft, private_storage):
    html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    message = _refused(draft, upload("photo.jpg", html, "image/jpeg"), private_storage)
    assert "この種類のファイルは添付できません" in message


def test_an_svg_with_a_script_is_refused(draft, private_storage):
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )
    message = _refused(draft, upload("map.svg", svg, "image/svg+xml"), private_storage)
    assert "写真（JPEG・PNG・HEIC）またはPDF" in message


def _png_claiming(width, height) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    ihdr = 8  # after the signature: length (4), b"IHDR" (4), width (4), height (4), ...
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    body = bytes(data[ihdr + 4 : ihdr + 8 + 13])
    data[ihdr + 8 + 13 : ihdr + 8 + 17] = struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    return bytes(data)


@pytest.mark.parametrize("size", [(10_000, 5_000), (20_000, 20_000)])
def test_a_decompression_bomb_is_refused_before_decoding(draft, private_storage, size):
    bomb = _png_claiming(*size)
    assert len(bomb) < 200
    with mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded")):
        message = _refused(draft, upload("bomb.png", bomb, "image/png"), private_storage)
    assert "画像は大きすぎます" in message
    assert "メガピクセル" in message


def test_an_oversized_file_is_refused(draft, private_storage, settings):
    settings.FIELDWORK_MAX_UPLOAD_BYTES = 10_000
    big = image_bytes("PNG", size=(400, 400)) + b"\0" * 20_000
    message = _refused(draft, upload("big.png", big, "image/png"), private_storage)
    assert "ファイルが大きすぎます" in message


def test_the_quota_per_trainee_is_enforced(draft, private_storage, settings):
    first = services.attachment_add(
        entry=draft,
        actor=draft.enrollment.user,
        uploaded=upload("a.jpg", image_bytes(size=(300, 300))),
    )
    settings.FIELDWORK_QUOTA_BYTES = first.size + 10
    with pytest.raises(services.ValidationError) as exc_info:
        services.attachment_add(
            entry=draft,
            actor=draft.enrollment.user,
            uploaded=upload("b.jpg", image_bytes(size=(300, 300))),
        )
    assert "保存容量がいっぱい" in exc_info.value.messages[0]
    assert FieldworkAttachment.objects.count() == 1


def test_a_filename_with_dot_dot_slash_never_becomes_a_path(draft, private_storage):
    attachment = services.attachment_add(
        entry=draft,
        actor=draft.enrollment.user,
        uploaded=upload("../../../etc/passwd.jpg", image_bytes()),
    )
    assert attachment.original_name == "passwd.jpg"
    assert ".." not in attachment.file and attachment.file.startswith("fieldwork/")
    files = _stored_files(private_storage)
    assert len(files) == 2  # the photo and its thumbnail, both inside the private root
    assert all(private_storage in f.parents for f in files)
    assert not (private_storage.parent / "etc").exists()


def test_gps_and_other_metadata_are_stripped_and_a_thumbnail_is_made(draft, private_storage):
    original = image_bytes("JPEG", size=(1200, 800), gps=True)
    exif = Image.open(io.BytesIO(original)).getexif()
    assert exif.get_ifd(0x8825)  # the test photo does carry a GPS position
    attachment = services.attachment_add(
        entry=draft, actor=draft.enrollment.user, uploaded=upload("IMG_0001.JPG", original)
    )
    with storages["private"].open(attachment.file) as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(0x8825)
    assert "exif" not in stored.info
    assert (attachment.width, attachment.height) == (1200, 800)
    with storages["private"].open(attachment.thumbnail) as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
    assert max(thumb.size) <= 480


def test_exif_orientation_is_applied_before_stripping(draft):
    image = Image.new("RGB", (60, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    attachment = services.attachment_add(
        entry=draft, actor=draft.enrollment.user, uploaded=upload("turned.jpg", out.getvalue())
    )
    assert (attachment.width, attachment.height) == (20, 60)


def test_heic_photos_are_accepted_and_stored_as_jpeg(draft):
    image = Image.new("RGB", (40, 30), (10, 200, 10))
    out = io.BytesIO()
    image.save(out, format="HEIF")
    attachment = services.attachment_add(
        entry=draft, actor=draft.enrollment.user, uploaded=upload("IMG_1.HEIC", out.getvalue())
    )
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_1.jpg"


def test_a_pdf_is_accepted_by_its_content_whatever_its_name(draft):
    attachment = services.attachment_add(
        entry=draft, actor=draft.enrollment.user, uploaded=upload("report.txt", pdf_bytes())
    )
    assert (attachment.kind, attachment.content_type) == ("pdf", "application/pdf")
    assert attachment.original_name == "report.pdf"


def test_a_storage_error_leaves_no_row(draft, private_storage):
    storage = storages["private"]
    with (
        mock.patch.object(type(storage), "save", side_effect=OSError("disk full")),
        pytest.raises(services.StorageUnavailable),
    ):
        services.attachment_add(
            entry=draft, actor=draft.enrollment.user, uploaded=upload("a.jpg", image_bytes())
        )
    assert not FieldworkAttachment.objects.exists()


def test_a_database_error_removes_the_written_files(draft, private_storage):
    with (
        mock.patch.object(
            FieldworkAttachment.objects, "create", side_effect=RuntimeError("database down")
        ),
        pytest.raises(RuntimeError),
    ):
        services.attachment_add(
            entry=draft, actor=draft.enrollment.user, uploaded=upload("a.jpg", image_bytes())
        )
    assert _stored_files(private_storage) == []


def test_nothing_can_be_attached_to_a_submitted_entry(draft, private_storage):
    draft.status = "submitted"
    draft.save()
    message = _refused(draft, upload("a.jpg", image_bytes()), private_storage)
    assert "提出済み" in message

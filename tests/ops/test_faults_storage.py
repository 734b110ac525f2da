"""Storage faults: a full disk (or an unreachable object store) while a file is written.

For fieldwork evidence and for certificate PDFs: a clear message (the trainee's in
Japanese), nothing typed is lost, no row points at a missing file, no file (not even the
part written before the disk filled up) is left without its row.
"""

import errno
import html
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from lms.certificates import services as certificate_services
from lms.certificates.models import Certificate
from lms.fieldwork import services
from lms.fieldwork.models import FieldworkAttachment, FieldworkEntry
from tests.certificates import factories as cf
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

STORAGE_MESSAGE = (
    "The file could not be saved because the storage for attachments is not available "
    "right now. Your entry is saved; please try attaching the file again later. If this "
    "keeps happening, tell the academy's office."
)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class DiskFull:
    """``ContentFile.chunks`` that writes ``fail_on``'s first bytes, then fails as a full disk
    does (ENOSPC in the middle of a file); the saves before ``fail_on`` go through."""

    def __init__(self, *, fail_on: int = 1):
        self.fail_on = fail_on
        self.calls = 0
        self.real_chunks = ContentFile.chunks

    def __call__(self, content, chunk_size=None):
        self.calls += 1
        if self.calls < self.fail_on:
            yield from self.real_chunks(content, chunk_size)
            return
        content.seek(0)
        yield content.read(max(content.size // 2, 1))
        raise OSError(errno.ENOSPC, "No space left on device")

    def patch(self):
        fault = self

        def chunks(content, chunk_size=None):
            return fault(content, chunk_size)

        return mock.patch.object(ContentFile, "chunks", chunks)


@pytest.fixture
def draft(site_tree):
    return entry(enrolled(course_tree(site_tree, slug="fw")), activity="棚田の草刈りに参加した。")


# --- Fieldwork evidence ----------------------------------------------------------------------
def test_a_full_disk_refuses_the_upload_with_a_message_and_leaves_nothing(draft, private_storage):
    disk_full = DiskFull()
    with disk_full.patch(), pytest.raises(services.StorageUnavailable) as exc_info:
        services.attachment_add(
            entry=draft,
            actor=draft.enrollment.user,
            uploaded=upload("report.pdf", pdf_bytes(), "application/pdf"),
        )
    assert disk_full.calls == 1  # the write really started, and failed half-way
    assert exc_info.value.code == "storage"
    # Raised in the active language (Japanese, the default).
    assert exc_info.value.messages == [gettext(STORAGE_MESSAGE)]
    assert not FieldworkAttachment.objects.exists()
    assert stored_files(private_storage) == []  # the half-written file is gone
    assert FieldworkEntry.objects.get(pk=draft.pk).activity == "棚田の草刈りに参加した。"


def test_a_full_disk_at_the_thumbnail_removes_the_photo_already_written(draft, private_storage):
    disk_full = DiskFull(fail_on=2)  # the photo is written, the thumbnail is not
    with disk_full.patch(), pytest.raises(services.StorageUnavailable):
        services.attachment_add(
            entry=draft,
            actor=draft.enrollment.user,
            uploaded=upload("photo.jpg", image_bytes(), "image/jpeg"),
        )
    assert disk_full.calls == 2
    assert not FieldworkAttachment.objects.exists()
    assert stored_files(private_storage) == []


def test_an_object_store_error_is_the_same_clear_refusal(draft, private_storage):
    class ClientError(Exception):  # what boto3 raises when the bucket cannot be reached
        pass

    with (
        mock.patch.object(FileSystemStorage, "_save", side_effect=ClientError("503 SlowDown")),
        pytest.raises(services.StorageUnavailable) as exc_info,
    ):
        services.attachment_add(
            entry=draft,
            actor=draft.enrollment.user,
            uploaded=upload("photo.jpg", image_bytes(), "image/jpeg"),
        )
    assert exc_info.value.code == "storage"
    assert not FieldworkAttachment.objects.exists()
    assert stored_files(private_storage) == []


def test_a_database_error_after_the_files_are_written_leaves_no_orphan(draft, private_storage):
    with (
        mock.patch.object(
            FieldworkAttachment.objects, "create", side_effect=OperationalError("disk I/O error")
        ),
        pytest.raises(OperationalError),
    ):
        services.attachment_add(
            entry=draft,
            actor=draft.enrollment.user,
            uploaded=upload("photo.jpg", image_bytes(), "image/jpeg"),
        )
    assert not FieldworkAttachment.objects.exists()
    assert stored_files(private_storage) == []


def test_the_trainee_sees_the_message_and_keeps_the_entry(client, draft, private_storage):
    user = draft.enrollment.user
    client.force_login(user)
    with translation.override("en"):
        url = reverse("fieldwork:attachment_upload", args=[draft.pk])
    with DiskFull().patch():
        response = client.post(
            url, {"file": upload("photo.jpg", image_bytes(), "image/jpeg")}, follow=True
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(f"/entries/{draft.pk}/edit/#attachments")
    page = html.unescape(response.content.decode())
    assert STORAGE_MESSAGE in page
    assert "棚田の草刈りに参加した。" in page  # what the trainee wrote is still in the form
    assert not FieldworkAttachment.objects.exists()
    assert stored_files(private_storage) == []

    # In Japanese (the default language), the same message through the catalogue. (The
    # English request above left English active in this thread: reverse in Japanese.)
    with translation.override("ja"):
        ja_url = reverse("fieldwork:attachment_upload", args=[draft.pk])
    with DiskFull().patch():
        response = client.post(
            ja_url,
            {"file": upload("photo.jpg", image_bytes(), "image/jpeg")},
            follow=True,
        )
    with translation.override("ja"):
        expected = gettext(STORAGE_MESSAGE)
    assert expected in html.unescape(response.content.decode())

    # Once there is space again, the same file attaches.
    response = client.post(url, {"file": upload("photo.jpg", image_bytes(), "image/jpeg")})
    assert response.status_code == 302
    attachment = FieldworkAttachment.objects.get()
    assert sorted(stored_files(private_storage)) == sorted(
        [private_storage / attachment.file, private_storage / attachment.thumbnail]
    )


# --- Certificate PDFs ------------------------------------------------------------------------
@pytest.fixture
def certificate(site_tree):
    from decimal import Decimal

    course = course_tree(site_tree, slug="cert", lessons=1, total_hours=Decimal("3"))
    cf.templates()
    return certificate_services.certificate_issue(enrollment=cf.completed(course))


def test_a_full_disk_while_the_pdf_is_saved_keeps_it_pending_with_no_file(
    certificate, private_storage
):
    disk_full = DiskFull()
    with disk_full.patch():
        result = certificate_services.certificate_render(certificate_id=certificate.pk)
    assert disk_full.calls == 1
    assert result.status == Certificate.Status.PENDING
    assert result.pdf_file == "" and result.issued_at is None
    with translation.override("en"):
        assert "No space left on device" in result.error
    assert stored_files(private_storage) == []

    result = certificate_services.certificate_render(certificate_id=certificate.pk)
    assert result.status == Certificate.Status.ISSUED
    assert stored_files(private_storage) == [private_storage / result.pdf_file]
    assert result.error == ""


def test_a_database_error_after_the_pdf_is_saved_leaves_no_orphan(certificate, private_storage):
    with (
        mock.patch.object(Certificate, "save", side_effect=OperationalError("disk I/O error")),
        pytest.raises(OperationalError),
    ):
        certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING and certificate.pdf_file == ""
    assert stored_files(private_storage) == []

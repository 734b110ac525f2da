"""Renderer faults mid-issue: the worker process killed, a time-out, the storage failing
after the render. The certificate stays pending (no PDF, not issued, no partial file); a
retry issues exactly one (the same serial, one PDF, one "issued" log entry). After the
last automatic try it is failed, for an admin to see and retry
(docs/decisions/0022-render-failures.md)."""

import errno
import hashlib
import os
import signal
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone, translation
from wagtail.log_actions import registry as log_registry

from lms.certificates import rendering, services, tasks
from lms.certificates.models import Certificate
from tests.certificates import factories as cf
from tests.factories.accounts import UserFactory
from tests.factories.courses import course_tree

pytestmark = pytest.mark.django_db


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


@pytest.fixture
def certificate(site_tree):
    course = course_tree(site_tree, slug="cert", lessons=1, total_hours=Decimal("3"))
    cf.templates()
    certificate = services.certificate_issue(enrollment=cf.completed(course))
    assert certificate.status == Certificate.Status.PENDING
    return certificate


def in_site_language(message: str) -> str:
    """Errors are stored for the admin in the site's language (Japanese)."""
    with translation.override("ja"):
        return translation.gettext(message)


def logs_of(certificate, action) -> int:
    """Entries of ``action`` in the certificate's audit log (whichever model keeps it)."""
    return log_registry.get_logs_for_instance(certificate).filter(action=action).count()


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_pending_with_nothing(certificate_id, root):
    certificate = Certificate.objects.get(pk=certificate_id)
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.pdf_file == "" and certificate.pdf_sha256 == ""
    assert certificate.issued_at is None
    assert certificate.error  # the reason of the last try, for the admin
    assert stored_files(root) == []
    return certificate


def assert_issued_once(certificate, root):
    """One current certificate for the enrollment, with the same serial, one PDF in
    storage (the one the row names, with its hash), and one "issued" log entry."""
    rows = Certificate.objects.filter(enrollment_id=certificate.enrollment_id)
    assert rows.count() == 1
    issued = rows.get()
    assert issued.pk == certificate.pk and issued.serial == certificate.serial
    assert issued.status == Certificate.Status.ISSUED and issued.error == ""
    assert stored_files(root) == [root / issued.pdf_file]

    assert hashlib.sha256((root / issued.pdf_file).read_bytes()).hexdigest() == issued.pdf_sha256
    assert logs_of(issued, services.LOG_ISSUE) == 1
    return issued


def kill_worker_during_next_render():
    """Start the real renderer process, and kill it (SIGKILL, as the OOM killer does) right
    after the next job has been handed to it."""
    worker = rendering.renderer
    worker.start()
    pid = worker.pid
    connection = worker._connection
    real_send = connection.send

    def send_then_die(job):
        real_send(job)
        os.kill(pid, signal.SIGKILL)
        worker._process.wait(10)

    return mock.patch.object(connection, "send", send_then_die), pid


def test_the_renderer_killed_mid_issue_leaves_it_pending_then_a_retry_issues_once(
    certificate, private_storage
):
    killing, pid = kill_worker_during_next_render()
    with killing:
        status = tasks.render_certificate.call(certificate_id=certificate.pk)
    assert status == Certificate.Status.PENDING
    pending = assert_pending_with_nothing(certificate.pk, private_storage)
    assert pending.error == in_site_language("The certificate renderer stopped unexpectedly.")
    assert rendering.renderer.pid is None  # the dead worker is not reused

    # The retry (the task again): a new worker, one certificate.
    assert tasks.render_certificate.call(certificate_id=certificate.pk) == "issued"
    assert rendering.renderer.pid not in (None, pid)
    issued = assert_issued_once(certificate, private_storage)
    # A duplicate run changes nothing.
    assert tasks.render_certificate.call(certificate_id=certificate.pk) == "issued"
    assert Certificate.objects.get(pk=certificate.pk).pdf_file == issued.pdf_file
    assert_issued_once(certificate, private_storage)


def test_a_time_out_leaves_it_pending_then_a_retry_issues_once(certificate, private_storage):
    rendering.renderer.start()  # starting is not counted in the time limit anyway
    with mock.patch.object(services, "RENDER_TIMEOUT", 0.001):
        certificate_after = services.certificate_render(certificate_id=certificate.pk)
    assert certificate_after.status == Certificate.Status.PENDING
    pending = assert_pending_with_nothing(certificate.pk, private_storage)
    assert pending.error == in_site_language(
        "Making the PDF took too long and was stopped. Try again later."
    )
    assert logs_of(pending, services.LOG_FAILED) == 0

    assert services.certificate_render(certificate_id=certificate.pk).status == "issued"
    assert_issued_once(certificate, private_storage)


def test_a_storage_error_after_the_render_leaves_it_pending_then_a_retry_issues_once(
    certificate, private_storage
):
    real_save = FileSystemStorage._save

    def full_disk(storage, name, content):
        path = storage.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:  # part of the file, then the disk is full
            handle.write(content.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch.object(FileSystemStorage, "_save", full_disk):
        status = tasks.render_certificate.call(certificate_id=certificate.pk)
    assert status == Certificate.Status.PENDING
    pending = assert_pending_with_nothing(certificate.pk, private_storage)
    assert "No space left on device" in pending.error

    with mock.patch.object(FileSystemStorage, "_save", real_save):
        assert tasks.render_certificate.call(certificate_id=certificate.pk) == "issued"
    assert_issued_once(certificate, private_storage)


def test_a_permanent_error_still_fails_at_once(site_tree, private_storage):
    """A character the fonts lack would fail every time: failed, not pending."""
    course = course_tree(site_tree, slug="glyph", lessons=1, total_hours=Decimal("3"))
    cf.templates()
    user = cf.trainee(first_name="\U0002a6d6子")
    certificate = services.certificate_issue(enrollment=cf.completed(course, user))
    assert tasks.render_certificate.call(certificate_id=certificate.pk) == "failed"


@pytest.fixture
def deferring_backend(settings):
    """A backend that can schedule tasks for later (as the database backend in production),
    recording what is enqueued instead of running it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = tasks.render_certificate.get_backend()
    assert backend.supports_defer
    backend.clear()
    return backend


def test_interrupted_renders_are_tried_again_later_then_failed_for_an_admin(
    certificate, private_storage, deferring_backend
):
    timeouts = mock.patch.object(
        rendering, "render_certificate", side_effect=rendering.RenderTimeout("too slow")
    )
    with timeouts:
        for attempt in range(1, services.MAX_RENDER_ATTEMPTS):
            before = len(deferring_backend.results)
            now = timezone.now()
            status = tasks.render_certificate.call(certificate_id=certificate.pk, attempt=attempt)
            assert status == Certificate.Status.PENDING
            scheduled = deferring_backend.results[before:]
            assert len(scheduled) == 1
            assert scheduled[0].kwargs == {"certificate_id": certificate.pk, "attempt": attempt + 1}
            delay = (scheduled[0].task.run_after - now).total_seconds()
            expected = services.RETRY_DELAYS[attempt - 1]
            assert expected <= delay < expected + 5
            assert_pending_with_nothing(certificate.pk, private_storage)

        # The last try: failed, on the admin's list, nothing more scheduled.
        before = len(deferring_backend.results)
        status = tasks.render_certificate.call(
            certificate_id=certificate.pk, attempt=services.MAX_RENDER_ATTEMPTS
        )
    assert status == Certificate.Status.FAILED
    assert len(deferring_backend.results) == before
    failed = Certificate.objects.get(pk=certificate.pk)
    assert failed.pdf_file == "" and stored_files(private_storage) == []
    assert failed.error == in_site_language(
        "The PDF could not be made after %(count)s tries (last: %(error)s)."
    ) % {
        "count": services.MAX_RENDER_ATTEMPTS,
        "error": in_site_language("Making the PDF took too long and was stopped. Try again later."),
    }
    assert logs_of(failed, services.LOG_FAILED) == 1

    # The admin's retry: pending again, the render task enqueued once, which issues it.
    admin = UserFactory(is_superuser=True)
    before = len(deferring_backend.results)
    with mock.patch("django.db.transaction.on_commit", lambda callback: callback()):
        services.certificate_retry(certificate=failed, actor=admin)
    (retry,) = deferring_backend.results[before:]
    assert retry.kwargs == {"certificate_id": certificate.pk}
    assert tasks.render_certificate.call(**retry.kwargs) == Certificate.Status.ISSUED
    assert_issued_once(certificate, private_storage)

"""The demo seed: default designs and one graduate with a rendered certificate, idempotent."""

import pytest
from django.core.files.storage import storages
from django.core.management import call_command

from lms.certificates.models import Certificate, CertificateTemplate
from lms.demo.seed_certificates import GRADUATE

from .conftest import Pdf
from .factories import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_demo_graduate_has_an_issued_certificate_and_a_second_seed_changes_nothing(
    tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    certificate = Certificate.objects.get(enrollment__user__email=GRADUATE["email"])
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.name == "中村 陽子" and certificate.name_kana == "なかむら ようこ"
    assert set(
        CertificateTemplate.objects.filter(is_default=True).values_list("language", flat=True)
    ) == {"ja", "en"}
    pdf = Pdf(storages["private"].open(certificate.pdf_file, "rb").read(), tmp_path)
    assert "中村 陽子" in pdf.text()
    assert "コミュニティネットワーク協会" in pdf.text()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().pdf_file == certificate.pdf_file
    assert CertificateTemplate.objects.count() == 2

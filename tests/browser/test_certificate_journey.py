"""A graduate downloads her certificate from her page; a visitor verifies it by its code.

The demo graduate 中村 陽子 (``graduate@example.com``) completed the demo course; her
certificate was issued and rendered by the seed. On her page she finds the certificate,
downloads the PDF (a real download, checked as a PDF with her name's serial as file name)
and follows the link to the verification page. A visitor without an account types the code
into the verification form and sees the certificate is valid. axe-core checks every page;
nothing scrolls sideways on a phone.

Texts are located by structure (hrefs, names), so the test reads the same before and after
the Japanese catalogue is filled.
"""

import pytest
from playwright.sync_api import Page, expect

from lms.certificates.models import Certificate
from lms.demo.content import DEMO_PASSWORD
from lms.demo.seed_certificates import GRADUATE

from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations, log_in

pytestmark = pytest.mark.browser


def check_page(page: Page) -> None:
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def test_graduate_downloads_and_a_visitor_verifies(
    phone_page, browser_session, seeded, django_db_serialized_rollback, tmp_path
):
    certificate = Certificate.objects.get(enrollment__user__email=GRADUATE["email"])
    assert certificate.status == Certificate.Status.ISSUED

    page = phone_page
    log_in(page, GRADUATE["email"], DEMO_PASSWORD)
    page.goto("/learn/mypage/")
    check_page(page)
    link = page.locator(f'a[href="/certificates/{certificate.pk}/pdf/"]')
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    page.locator(f'a[href="/certificates/verify/{certificate.code}/"]').click()
    page.wait_for_url(f"**/certificates/verify/{certificate.code}/")
    expect(page.locator("main")).to_contain_text(certificate.serial)
    check_page(page)

    visitor = browser_session.new_page()
    visitor.goto("/certificates/verify/")
    check_page(visitor)
    visitor.locator("input[name=code]").fill(certificate.code)
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url(f"**/certificates/verify/{certificate.code}/")
    main = visitor.locator("main")
    expect(main).to_contain_text("中村 陽子")
    expect(main).to_contain_text(certificate.serial)
    expect(visitor.locator("main .alert-success")).to_be_visible()
    assert GRADUATE["email"] not in main.inner_text()
    check_page(visitor)

    visitor.goto("/certificates/verify/unknown-code/")
    expect(visitor.locator("main .alert-danger")).to_be_visible()
    check_page(visitor)

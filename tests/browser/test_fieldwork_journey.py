"""A trainee logs fieldwork on a phone: write, lose the page, find the draft, attach, submit.

The demo trainee 田中 里美 (``fieldwork@example.com``) writes a new entry on a 360px phone.
The draft is saved as she types (no button); a reload finds it, and text typed just before
the reload (not yet sent) comes back from the phone's storage. She attaches a photo carrying
a GPS position (stored without it), submits, and the supervisor confirms through the link in
the e-mail, without an account. axe-core checks every page; nothing scrolls sideways.

Texts are located by structure (names, ids, data attributes), so the test reads the same
before and after the Japanese catalogue is filled.
"""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from lms.courses.models import CoursePage
from lms.demo.content import DEMO_PASSWORD
from lms.fieldwork.models import FieldworkAttachment, FieldworkEntry

from .helpers import assert_no_horizontal_scroll, assert_no_serious_axe_violations, log_in

pytestmark = pytest.mark.browser

EMAIL = "fieldwork@example.com"
LINK = re.compile(r"https?://[^/\s]+(/fieldwork/confirm/[^\s/]+/)")


def check_page(page: Page) -> None:
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (1600, 1200), (40, 120, 60))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (33.0, 33.0, 0.0), 3: "E", 4: (133.0, 31.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _wait_saved(page: Page) -> None:
    form = page.locator("#fieldwork-entry-form")
    saved = form.get_attribute("data-msg-saved")
    expect(page.locator("#fieldwork-autosave-status")).to_have_text(saved)


def test_write_reload_attach_and_submit_on_a_phone(
    phone_page, seeded, django_db_serialized_rollback
):
    page = phone_page
    course = CoursePage.objects.get(slug="regional-producer-basics", locale__language_code="ja")
    before = set(FieldworkEntry.objects.values_list("pk", flat=True))
    log_in(page, EMAIL, DEMO_PASSWORD)

    # The course's fieldwork: progress, the map and its table, every entry.
    page.goto(f"/fieldwork/courses/{course.pk}/")
    expect(page.locator("main svg").first).to_be_visible()
    expect(page.locator("main progress")).to_have_count(1)
    check_page(page)

    page.locator(f"main a[href='/fieldwork/courses/{course.pk}/new/']").first.click()
    expect(page).to_have_url(re.compile(rf"/fieldwork/courses/{course.pk}/new/$"))
    check_page(page)
    form = page.locator("#fieldwork-entry-form")
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    form.locator("input[name=date]").fill(yesterday)
    form.locator("input[name=hours]").fill("2.5")
    form.locator("select[name=prefecture]").select_option("kochi")
    form.locator("input[name=municipality]").fill("土佐町")
    form.locator("input[name=site]").fill("土佐町 地域交流センター")
    form.locator("select[name=category]").select_option(label="住民ヒアリング")
    form.locator("textarea[name=activity]").fill(
        "集会所で住民5名から、移動の困りごとを聞き取った。"
    )
    _wait_saved(page)
    # The first save made the draft: the address is now the draft's own.
    expect(page).to_have_url(re.compile(r"/fieldwork/entries/\d+/edit/$"))
    draft = FieldworkEntry.objects.exclude(pk__in=before).get()
    assert draft.status == "draft" and draft.municipality == "土佐町"

    # Typed, then the page is lost before the save is sent: the phone keeps the text.
    form.locator("textarea[name=learned]").fill("歩いて行ける居場所が求められている。")
    page.reload()
    form = page.locator("#fieldwork-entry-form")
    expect(form.locator("textarea[name=activity]")).to_have_value(
        "集会所で住民5名から、移動の困りごとを聞き取った。"
    )
    expect(form.locator("textarea[name=learned]")).to_have_value(
        "歩いて行ける居場所が求められている。"
    )
    expect(form.locator("input[name=hours]")).to_have_value("2.5")
    restored = form.get_attribute("data-msg-restored")
    saved = form.get_attribute("data-msg-saved")
    expect(page.locator("#fieldwork-autosave-status")).to_have_text(
        re.compile(f"{restored}|{saved}")
    )
    _wait_saved(page)
    draft.refresh_from_db()
    assert draft.learned == "歩いて行ける居場所が求められている。"
    check_page(page)

    # A photo with a GPS position; stored without it, shown as a thumbnail.
    upload = page.locator("#fieldwork-upload-form")
    upload.locator("input[type=file]").set_input_files(
        {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": _photo_with_gps()}
    )
    upload.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/fieldwork/entries/{draft.pk}/edit/#attachments$"))
    thumbnail = page.locator("#attachments img.fw-thumb")
    expect(thumbnail).to_have_count(1)
    assert page.evaluate("(img) => img.naturalWidth", thumbnail.element_handle()) > 0
    attachment = FieldworkAttachment.objects.get(entry=draft)
    with storages["private"].open(attachment.file) as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif()
    check_page(page)

    # Name the supervisor and submit.
    form = page.locator("#fieldwork-entry-form")
    form.locator("input[name=supervisor_name]").fill("山本 和子")
    form.locator("input[name=supervisor_email]").fill("yamamoto.phone@example.com")
    form.locator("button[name=action][value=submit]").click()
    expect(page).to_have_url(re.compile(rf"/fieldwork/entries/{draft.pk}/$"))
    expect(page.locator("main .fw-badge--submitted")).to_have_count(1)
    check_page(page)
    draft.refresh_from_db()
    assert (draft.status, draft.supervisor_status) == ("submitted", "pending")

    # The supervisor's link, in a browser without an account.
    links = [
        found.group(1)
        for message in mail.outbox
        if message.to == ["yamamoto.phone@example.com"] and (found := LINK.search(message.body))
    ]
    assert len(links) == 1
    page.context.clear_cookies()
    page.goto(links[0])
    expect(page.locator("main")).to_contain_text("集会所で住民5名から")
    expect(page.locator("main")).not_to_contain_text("歩いて行ける居場所")
    check_page(page)
    page.locator("input[name=decision][value=confirm]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_count(1)
    draft.refresh_from_db()
    assert draft.supervisor_status == "confirmed"
    check_page(page)
    page.goto(links[0])
    expect(page.locator("main h1")).to_have_count(1)
    check_page(page)


XSS = (
    "<script>window.__xss = 1; alert('xss')</script> 学んだこと "
    '<a href="javascript:window.__xss=2">詳しくはこちら</a> '
    '<img src=x onerror="window.__xss=3">'
)


def test_a_hostile_reflection_runs_nothing_for_the_instructor_in_the_admin(page, seeded):
    """Wagtail's admin has no CSP of ours: only escaping stands between the text and a script."""
    entry = FieldworkEntry.objects.filter(status="submitted").first()
    FieldworkEntry.objects.filter(pk=entry.pk).update(learned=XSS, next_steps=XSS)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "instructor@example.com", DEMO_PASSWORD)
    for url in (f"/admin/fieldwork/review/{entry.pk}/", f"/fieldwork/entries/{entry.pk}/"):
        page.goto(url)
        expect(
            page.get_by_text("<script>window.__xss = 1; alert('xss')</script>").first
        ).to_be_visible()
        assert page.locator("a[href^='javascript:']").count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert page.evaluate("() => window.__xss === undefined")
    assert dialogs == []

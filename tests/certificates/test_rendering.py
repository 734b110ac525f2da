"""The certificate PDF: text, fonts, QR code, page, templates, glyph check, escaping, time limit."""

import datetime
import io
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from lms.certificates import fonts, rendering
from lms.certificates.rendering import (
    MissingGlyphs,
    RenderTimeout,
    missing_glyphs,
    render_certificate,
    render_preview,
    unknown_placeholders,
)

from .conftest import Pdf, content, design, english_design

NAMES = ["髙橋", "﨑", "𠮷野", "齋藤", "渡邊"]


def assert_only_bundled_fonts(pdf: Pdf) -> None:
    rows = pdf.fonts()
    assert rows, "the PDF has no fonts"
    for row in rows:
        tag, _, name = row["name"].partition("+")
        assert re.fullmatch(r"[A-Z]{6}", tag), row  # a subset tag
        assert name in fonts.PDF_FONT_NAMES, row
        assert (row["emb"], row["sub"]) == ("yes", "yes"), row


@pytest.mark.parametrize("name", NAMES)
def test_hard_names_come_back_exactly_in_the_bundled_fonts(name, tmp_path):
    pdf = Pdf(render_certificate(content(name=name), design()), tmp_path)

    lines = [line.strip() for line in pdf.text().splitlines()]
    assert f"{name} 殿" in lines
    assert_only_bundled_fonts(pdf)


def test_whole_certificate_text_fonts_qr_and_page(tmp_path):
    pdf = Pdf(render_certificate(content(), design()), tmp_path)

    text = pdf.text()
    for expected in [
        "修 了 証",
        "たかはし よしこ",
        "髙橋 𠮷子 殿",
        "令和8年11月27日",
        "地域プロデューサー養成アカデミー",
        "一般社団法人地域プロデューサー協会 代表理事",
        "山田 太郎",
        "RPA-2026-000123",
        "ここにその成果をたたえ、これを証します。",
    ]:
        assert expected in text, expected
    # The URL, printed small, may wrap.
    url = "https://academy.example.jp/certificates/verify/RPA-2026-000123/"
    assert url in text.replace("\n", "")
    assert "{course}" not in text and "{hours}" not in text
    assert_only_bundled_fonts(pdf)
    # Serif regular and bold (title, signatory) and sans (small print) are all used.
    assert {row["name"].split("+")[1] for row in pdf.fonts()} == fonts.PDF_FONT_NAMES
    info = pdf.info()
    assert info["Pages"] == "1"
    assert info["Page size"] == "841.89 x 595.276 pts (A4)"  # landscape: wider than tall
    assert pdf.qr_codes(dpi=150) == [
        "https://academy.example.jp/certificates/verify/RPA-2026-000123/"
    ]
    assert len(pdf.images()) >= 1  # the seal (the QR code is vector graphics)


def test_western_date_and_no_kana(tmp_path):
    pdf = Pdf(render_certificate(content(name_kana=""), design(date_style="western")), tmp_path)
    text = pdf.text()
    assert "2026年11月27日" in text
    assert "令和" not in text
    assert "たかはし" not in text


def test_english_template(tmp_path):
    pdf = Pdf(
        render_certificate(
            content(name="Emma O'Neill", name_kana="", course_title="Foundation Course"),
            english_design(),
        ),
        tmp_path,
    )
    text = pdf.text()
    assert "Certificate of Completion" in text
    assert "This is to certify that" in text
    assert "Emma O'Neill" in text
    assert "has completed the Foundation Course (24.5 hours) on 27 November 2026." in text
    assert "Certificate No. RPA-2026-000123" in text
    assert "殿" not in text
    assert_only_bundled_fonts(pdf)
    assert pdf.info()["Pages"] == "1"
    assert len(pdf.qr_codes()) == 1


def test_preview_uses_sample_content_and_is_marked(tmp_path):
    pdf = Pdf(render_preview(design()), tmp_path)
    text = pdf.text()
    assert "髙橋 𠮷子 殿" in text
    # The watermark (rotated, letter-spaced: read in drawing order, spaces removed).
    assert "見本" in re.sub(r"\s", "", pdf.text(raw=True))
    real = Pdf(render_certificate(content(), design()), tmp_path)
    assert "見本" not in re.sub(r"\s", "", real.text(raw=True))
    assert_only_bundled_fonts(pdf)

    english = Pdf(render_preview(english_design()), tmp_path)
    assert "SAMPLE" in re.sub(r"\s", "", english.text(raw=True))


@pytest.mark.parametrize("name", NAMES)
def test_hard_names_have_no_missing_glyphs(name):
    assert missing_glyphs(content(name=name), design()) == []


def test_missing_glyphs_are_named_before_rendering(monkeypatch):
    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered a certificate with missing glyphs")

    monkeypatch.setattr(rendering.renderer, "render", must_not_render)
    rare = "\U0002a6d6"  # 𪛖, CJK Extension B: not in Noto CJK
    private = "\ue000"  # private use

    with pytest.raises(MissingGlyphs) as raised:
        render_certificate(content(name=f"髙橋{rare}子"), design(signatory_name=f"山田{private}"))

    assert raised.value.missing == [
        ("name", rare, "U+2A6D6"),
        ("signatory_name", private, "U+E000"),
    ]
    message = str(raised.value)
    assert rare in message and "U+2A6D6" in message and "U+E000" in message


def test_variation_sequences_are_checked():
    known = "葛\U000e0100"  # an Adobe-Japan1 variant the font has
    unknown = "あ\U000e0100"
    assert missing_glyphs(content(name=known), design()) == []
    assert missing_glyphs(content(name=unknown), design()) == [("name", unknown, "U+3042 U+E0100")]


def test_user_text_is_escaped(tmp_path):
    name = "<script>alert(1)</script></style><b>X</b>"
    body = '<img src="file:///etc/passwd"> & {name}'
    pdf = Pdf(render_certificate(content(name=name), design(body=body)), tmp_path)

    text = re.sub(r"\s", "", pdf.text())  # letter-spaced Latin comes back spaced out
    assert f"{name}殿" in text
    assert f'<imgsrc="file:///etc/passwd">&{name}' in text
    assert len(pdf.images()) == 1  # only the seal


def test_body_placeholders_and_hours():
    assert unknown_placeholders("{name} {nmae} {date} {0} {name.__class__}") == [
        "{nmae}",
        "{0}",
        "{name.__class__}",
    ]
    with pytest.raises(ValueError, match="時間数が設定されていません"):
        render_certificate(content(hours=None), design())


def test_hours_are_printed_without_trailing_zeros(tmp_path):
    pdf = Pdf(render_certificate(content(hours=Decimal("30.0")), design()), tmp_path)
    assert "（30時間）" in pdf.text().replace("\n", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"not an image", "読み込めません"), ("gif", "PNGまたはJPEG形式の画像にしてください")],
)
def test_seal_must_be_png_or_jpeg(data, message):
    if data == "gif":
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "GIF")
        data = out.getvalue()
    with pytest.raises(ValueError, match=message):
        render_certificate(content(), design(seal_image=data))


def test_logo_jpeg_and_three_paragraphs_fit(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (400, 120), (20, 60, 110)).save(out, "JPEG")
    body = (
        "あなたは当アカデミーにおいて「{course}」（{hours}時間）の全課程を修了されました。\n\n"
        "地域の資源を見つめ直し、人と人とをつなぐ地域プロデューサーとしての知識と実践力を"
        "身につけたことを認めます。\n\nここにその成果をたたえ、これを証します。"
    )
    pdf = Pdf(render_certificate(content(), design(logo_image=out.getvalue(), body=body)), tmp_path)
    assert len(pdf.images()) == 2  # logo and seal
    assert "身につけたことを認めます。" in pdf.text()


def test_verification_url_must_be_absolute():
    with pytest.raises(ValueError, match="完全なURL"):
        render_certificate(content(verification_url="/certificates/verify/1/"), design())


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="言語「fr」"):
        render_certificate(content(), design(language="fr"))


def test_time_limit_stops_the_render_and_the_next_one_works(tmp_path):
    render_certificate(content(), design())  # the worker is up
    worker = rendering.renderer._process
    starts = rendering.renderer.starts

    with pytest.raises(RenderTimeout):
        render_certificate(content(), design(), timeout=0.001)

    assert worker.poll() is not None  # the process rendering it was killed
    pdf = Pdf(render_certificate(content(), design()), tmp_path)
    assert rendering.renderer.starts == starts + 1
    assert "髙橋 𠮷子 殿" in pdf.text()


def test_the_worker_is_reused_between_certificates():
    render_certificate(content(), design())
    worker, starts = rendering.renderer._process, rendering.renderer.starts
    for name in NAMES:
        render_certificate(content(name=name), design())
    assert rendering.renderer._process is worker
    assert rendering.renderer.starts == starts


def test_dates_in_the_past_eras(tmp_path):
    pdf = Pdf(
        render_certificate(content(completed_on=datetime.date(2019, 5, 1)), design()),
        tmp_path,
    )
    assert "令和元年5月1日" in pdf.text()


def test_a_text_too_long_for_one_page_is_refused():
    body = "\n\n".join(["あなたは「{course}」の全課程を修了されました。" * 3] * 12)
    with pytest.raises(ValueError, match="1ページに収まりません"):
        render_certificate(content(), design(body=body))
    render_certificate(content(), design())  # the worker is still there


def test_two_threads_render_at_once():
    results = {}

    def render(name):
        results[name] = render_certificate(content(name=name), design())

    threads = [threading.Thread(target=render, args=(name,)) for name in NAMES[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(results) == set(NAMES[:2])
    assert all(pdf.startswith(b"%PDF-") for pdf in results.values())


def test_the_worker_ends_when_its_parent_goes_away():
    worker = rendering._RenderWorker()
    html, images = rendering._document(content(), design(), sample=False)
    assert worker.render(html, images, 30).startswith(b"%PDF-")
    process = worker._process

    worker._connection.close()  # what the parent's death does to the socket

    assert process.wait(20) == 0


def test_missing_fonts_are_reported(settings, tmp_path):
    settings.CERTIFICATE_FONT_DIR = str(tmp_path)
    with pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"):
        fonts.faces()

"""Certificate PDFs: one certificate's content + an admin's design -> PDF bytes.

The contract other code uses: ``CertificateDesign``, ``CertificateContent``,
``missing_glyphs``, ``render_certificate``, ``render_preview``, ``format_date``,
``MissingGlyphs``, ``RenderInterrupted`` and its two kinds, ``RenderTimeout`` and
``RendererCrashed``.

How a certificate is rendered:

1. Every text that will be printed is checked against the certificate fonts' cmaps
   (``fonts.unprintable_characters``): a character the fonts lack raises
   ``MissingGlyphs`` naming the field, the character and its code point, before anything
   is rendered, so it can never come out as a blank box or in another font.
2. The HTML is rendered here with Django's template engine (autoescaping every user text;
   the body's placeholders are replaced by a fixed pattern, never ``str.format``).
3. The HTML, the QR code (SVG, made with segno) and the seal and logo images go to a
   long-lived worker process (``pdf_engine.worker_main``) that keeps one WeasyPrint
   ``Renderer`` (font configuration and parsed CSS) for its whole life. The time limit is
   real: when a render overruns ``timeout``, the worker process is killed (WeasyPrint is
   CPU-bound Python; a thread could not be stopped) and the next render starts a new one.
   Starting the worker (loading the fonts) has its own, longer limit
   (``WORKER_START_TIMEOUT``) and is not counted in a certificate's time limit.

Two kinds of failure (docs/decisions/0022-render-failures.md): what the same input would
do again (a missing glyph, a design that does not fit, a broken image, an exception inside
WeasyPrint) raises ``MissingGlyphs`` / ``ValueError`` / ``RuntimeError``; what says nothing
about the certificate (the worker killed, out of memory, not starting, a time-out) raises
``RenderInterrupted``, and trying again later may well succeed.
"""

from __future__ import annotations

import atexit
import datetime
import io
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import fonts
from .dates import DATE_STYLES, LANGUAGES
from .dates import format_date as format_date
from .pdf_engine import asset_url

__all__ = [
    "CertificateContent",
    "CertificateDesign",
    "MissingGlyphs",
    "RenderInterrupted",
    "RenderTimeout",
    "RendererCrashed",
    "format_date",
    "missing_glyphs",
    "render_certificate",
    "render_preview",
    "unknown_placeholders",
]

STYLESHEET = Path(__file__).parent / "static" / "certificates" / "certificate.css"
TEMPLATE = "lms/certificates/pdf/certificate_{language}.html"
PLACEHOLDERS = ("name", "course", "date", "hours")
_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_ANY_PLACEHOLDER_RE = re.compile(r"\{([^{}\s]*)\}")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\u3000]*\n")
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_IMAGE_PIXELS = 25_000_000
WORKER_START_TIMEOUT = 120.0


@dataclass(frozen=True)
class CertificateDesign:
    """What an admin edits: the wording, the signatory, the images and the date style."""

    language: str  # "ja" or "en": templates/lms/certificates/pdf/certificate_<language>.html
    title: str  # "修了証" / "Certificate of Completion"
    body: str  # placeholders {name} {course} {date} {hours}; paragraphs split on blank lines
    signatory_name: str
    signatory_title: str
    issuer: str  # the organisation's name
    date_style: str  # "japanese_era" | "western"
    seal_image: bytes | None = field(default=None, repr=False)  # PNG/JPEG bytes
    logo_image: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CertificateContent:
    """The snapshot stored on a certificate when it is issued."""

    name: str  # as registered, e.g. "髙橋 𠮷子"
    name_kana: str  # "たかはし よしこ", may be ""
    course_title: str
    completed_on: datetime.date
    hours: Decimal | None
    serial: str  # "RPA-2026-000123"
    verification_url: str  # absolute; encoded in the QR code and printed small


FIELD_LABELS = {
    "name": _("the name"),
    "name_kana": _("the name's reading"),
    "course_title": _("the course title"),
    "serial": _("the serial number"),
    "verification_url": _("the verification URL"),
    "hours": _("the hours"),
    "completed_on": _("the date"),
    "title": _("the certificate title"),
    "body": _("the certificate text"),
    "signatory_name": _("the signatory's name"),
    "signatory_title": _("the signatory's title"),
    "issuer": _("the issuer"),
}


class MissingGlyphs(ValueError):
    """Some characters cannot be printed in the certificate fonts.

    ``missing`` lists ``(field, character, "U+XXXX")``; ``str()`` names them all.
    """

    def __init__(self, missing: list[tuple[str, str, str]]):
        self.missing = list(missing)
        listed = gettext(", ").join(
            gettext("“%(char)s” (%(code)s) in %(field)s")
            % {"char": char, "code": code, "field": str(FIELD_LABELS.get(field, field))}
            for field, char, code in self.missing
        )
        super().__init__(
            gettext(
                "The certificate fonts cannot print these characters: %(list)s. "
                "Correct the text (for example, use the standard form of the character) "
                "and issue the certificate again."
            )
            % {"list": listed}
        )


class RenderInterrupted(RuntimeError):
    """The render was interrupted by something outside the certificate (a time-out, the
    worker process killed or not starting): nothing was made, and a later try may work."""


class RenderTimeout(RenderInterrupted):
    """Rendering took longer than its time limit (the render was stopped)."""


class RendererCrashed(RenderInterrupted):
    """The worker process died during the render (killed, out of memory) or did not start."""


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` other than {name} {course} {date} {hours}, e.g. ["{nmae}"]."""
    return [
        "{" + found + "}"
        for found in _ANY_PLACEHOLDER_RE.findall(text)
        if found not in PLACEHOLDERS
    ]


def _hours_text(hours: Decimal | None) -> str:
    if hours is None:
        return ""
    return format(Decimal(hours).normalize(), "f")


def _check_design(design: CertificateDesign) -> None:
    if design.language not in LANGUAGES:
        raise ValueError(
            gettext("Unknown certificate language “%(value)s”.") % {"value": design.language}
        )
    if design.date_style not in DATE_STYLES:
        raise ValueError(gettext("Unknown date style “%(value)s”.") % {"value": design.date_style})


def _printed_texts(content: CertificateContent, design: CertificateDesign) -> list[tuple[str, str]]:
    """(field, text) of everything the certificate prints, placeholders excluded."""
    return [
        ("name", content.name),
        ("name_kana", content.name_kana),
        ("course_title", content.course_title),
        ("serial", content.serial),
        ("verification_url", content.verification_url),
        ("hours", _hours_text(content.hours)),
        (
            "completed_on",
            format_date(content.completed_on, style=design.date_style, language=design.language),
        ),
        ("title", design.title),
        ("body", _PLACEHOLDER_RE.sub("", design.body)),
        ("signatory_name", design.signatory_name),
        ("signatory_title", design.signatory_title),
        ("issuer", design.issuer),
    ]


def missing_glyphs(
    content: CertificateContent, design: CertificateDesign
) -> list[tuple[str, str, str]]:
    """``(field, character, "U+XXXX")`` for each character the fonts cannot print."""
    _check_design(design)
    return [
        (name, item, fonts.code_point_label(item))
        for name, text in _printed_texts(content, design)
        for item in fonts.unprintable_characters(text)
    ]


def _image_asset(data: bytes, label: str) -> tuple[bytes, str]:
    """The bytes and content type of a PNG or JPEG image; anything else is refused."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except Exception as error:
        raise ValueError(
            gettext("The %(image)s is not a readable PNG or JPEG image.") % {"image": label}
        ) from error
    if kind not in IMAGE_TYPES:
        raise ValueError(gettext("The %(image)s must be a PNG or JPEG image.") % {"image": label})
    if width * height > MAX_IMAGE_PIXELS:
        raise ValueError(
            gettext("The %(image)s is too large (at most 25 million pixels).") % {"image": label}
        )
    return data, IMAGE_TYPES[kind]


def _qr_svg(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", border=0, xmldecl=False)
    return out.getvalue()


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(
            gettext("The verification URL must be an absolute http(s) URL, not “%(url)s”.")
            % {"url": url}
        )


def _body_paragraphs(content: CertificateContent, design: CertificateDesign, date_text: str):
    values = {
        "name": content.name,
        "course": content.course_title,
        "date": date_text,
        "hours": _hours_text(content.hours),
    }
    if content.hours is None and "{hours}" in design.body:
        raise ValueError(
            gettext(
                "The certificate text uses {hours}, but the course has no hours. "
                "Set the course's hours or remove {hours} from the text."
            )
        )
    body = _PLACEHOLDER_RE.sub(lambda match: values[match.group(1)], design.body)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip("\n") for part in _PARAGRAPH_BREAK_RE.split(body) if part.strip()]


def _document(
    content: CertificateContent, design: CertificateDesign, *, sample: bool
) -> tuple[str, dict[str, tuple[bytes, str]]]:
    """The certificate's HTML and the images it references."""
    _check_design(design)
    _check_url(content.verification_url)
    date_text = format_date(content.completed_on, style=design.date_style, language=design.language)
    images = {"qr": (_qr_svg(content.verification_url), "image/svg+xml")}
    labels = {"seal": gettext("seal image"), "logo": gettext("logo image")}
    for key, data in (("seal", design.seal_image), ("logo", design.logo_image)):
        if data:
            images[key] = _image_asset(data, labels[key])
    context = {
        "design": design,
        "content": content,
        "date_text": date_text,
        "hours_text": _hours_text(content.hours),
        "paragraphs": _body_paragraphs(content, design, date_text),
        "qr_url": asset_url("image", "qr"),
        "seal_url": asset_url("image", "seal") if "seal" in images else "",
        "logo_url": asset_url("image", "logo") if "logo" in images else "",
        "sample": sample,
    }
    return _template(design.language).render(context), images


_templates: dict[str, object] = {}


def _template(language: str):
    """The parsed template of a language, kept for the life of the process."""
    if language not in _templates:
        _templates[language] = loader.get_template(TEMPLATE.format(language=language))
    return _templates[language]


class _RenderWorker:
    """The parent's handle on the long-lived worker process; one render at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process = None
        self._connection = None
        self.starts = 0  # how many worker processes were started (tests, benchmark)

    def _start(self) -> None:
        # A fresh interpreter running pdf_engine, talking over a socket pair.
        parent, child = multiprocessing.Pipe()
        project_root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [project_root, os.environ.get("PYTHONPATH", "")])
            ),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "lms.certificates.pdf_engine", str(child.fileno())],
            pass_fds=[child.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        child.close()
        self._process, self._connection = process, parent
        self.starts += 1
        try:
            parent.send((fonts.faces(), STYLESHEET.read_text(encoding="utf-8")))
        except OSError as error:  # it died at once
            self._stop()
            raise RendererCrashed(gettext("The certificate renderer could not start.")) from error
        if not parent.poll(WORKER_START_TIMEOUT):
            self._stop()
            raise RendererCrashed(gettext("The certificate renderer did not start in time."))
        try:
            status, payload = parent.recv()
        except (EOFError, OSError):
            status, payload = "error", "the process ended"
        if status != "ready":
            self._stop()
            raise RendererCrashed(
                gettext("The certificate renderer could not start.") + f"\n{payload}"
            )

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
            self._connection.close()
        self._process = self._connection = None

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def render(self, html: str, images: dict[str, tuple[bytes, str]], timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=max(timeout, 0)):
            raise RenderTimeout(gettext("The certificate could not be rendered in time."))
        try:
            if not self._alive():
                self._stop()
                self._start()
                deadline = time.monotonic() + timeout  # starting is not rendering
            try:
                self._connection.send((html, images))
                ready = self._connection.poll(max(deadline - time.monotonic(), 0))
                answer = self._connection.recv() if ready else None
            except (EOFError, OSError) as error:
                # The worker died mid-render (killed, out of memory): nothing was made.
                self._stop()
                raise RendererCrashed(
                    gettext("The certificate renderer stopped unexpectedly.")
                ) from error
            if answer is None:
                self._stop()  # the only way to stop a CPU-bound render
                raise RenderTimeout(
                    gettext("The certificate took longer than %(seconds)s seconds to render.")
                    % {"seconds": f"{timeout:g}"}
                )
            status, payload = answer
            if status == "too_long":
                raise ValueError(
                    gettext(
                        "The certificate's text does not fit on one page. "
                        "Shorten the certificate text or the course title."
                    )
                )
            if status != "ok":
                raise RuntimeError(f"The certificate could not be rendered:\n{payload}")
            return payload
        finally:
            self._lock.release()

    def start(self) -> None:
        """Start the worker now if it is not running (warming up; tests)."""
        with self._lock:
            if not self._alive():
                self._stop()
                self._start()

    @property
    def pid(self) -> int | None:
        """The worker process's id, while one is running."""
        return self._process.pid if self._alive() else None

    def close(self) -> None:
        with self._lock:
            self._stop()


renderer = _RenderWorker()
atexit.register(renderer.close)  # the worker also ends by itself when this process dies


def render_certificate(
    content: CertificateContent, design: CertificateDesign, *, timeout: float = 30
) -> bytes:
    """The PDF of one certificate. Raises ``MissingGlyphs`` before rendering anything when
    a text has a character the fonts lack, ``RenderTimeout`` past ``timeout`` seconds,
    ``ValueError`` (with a message for the admin) on an unusable design or image."""
    return _render(content, design, timeout=timeout, sample=False)


def _render(
    content: CertificateContent, design: CertificateDesign, *, timeout: float, sample: bool
) -> bytes:
    missing = missing_glyphs(content, design)
    if missing:
        raise MissingGlyphs(missing)
    html, images = _document(content, design, sample=sample)
    return renderer.render(html, images, timeout)


SAMPLE = {
    "ja": {
        "name": "髙橋 𠮷子",
        "name_kana": "たかはし よしこ",
        "course_title": "地域プロデューサー養成講座 基礎課程",
    },
    "en": {
        "name": "髙橋 𠮷子 (Yoshiko Takahashi)",
        "name_kana": "",
        "course_title": "Regional Producer Programme: Foundation Course",
    },
}


def sample_content(design: CertificateDesign) -> CertificateContent:
    _check_design(design)
    sample = SAMPLE[design.language]
    return CertificateContent(
        name=sample["name"],
        name_kana=sample["name_kana"],
        course_title=sample["course_title"],
        completed_on=timezone.localdate(),
        hours=Decimal("24.5"),
        serial="RPA-0000-000000",
        verification_url="https://example.com/certificates/verify/RPA-0000-000000/",
    )


def render_preview(design: CertificateDesign, *, timeout: float = 30) -> bytes:
    """A PDF of ``design`` with sample content (a name with 髙 and 𠮷), marked as a sample
    (見本 / SAMPLE) across the page; the same checks and renderer as a real certificate."""
    return _render(sample_content(design), design, timeout=timeout, sample=True)

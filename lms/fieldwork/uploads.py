"""Checking and cleaning uploaded evidence: photos and PDF documents, decided by content.

What arrives is never trusted: its name and its declared type are ignored. A file is a PDF
if it starts with ``%PDF-``; otherwise Pillow must recognise it as JPEG, PNG or HEIC
(through pillow-heif). Anything else (SVG, HTML, a renamed script) is refused with a message
that says what is accepted.

Images are decoded within a pixel limit (a decompression bomb is refused before it is
decoded), turned upright by their EXIF orientation, and re-encoded without any metadata
(GPS position, camera, date), so what is stored is only pixels. A thumbnail is made too.
"""

import io
import os
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC photos from iPhones, when the library is installed.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_FORMATS = {"HEIF", "HEIC", "AVIF"}
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIF_FORMATS = set()

MB = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 15 * MB
DEFAULT_QUOTA_BYTES = 300 * MB
DEFAULT_MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is refused before decoding
STORED_LONG_SIDE = 3000
THUMBNAIL_SIZE = (480, 480)
PDF_MAGIC = b"%PDF-"
IMAGE_FORMATS = {"JPEG", "PNG"} | HEIF_FORMATS


def max_upload_bytes() -> int:
    return int(getattr(settings, "FIELDWORK_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def quota_bytes() -> int:
    return int(getattr(settings, "FIELDWORK_QUOTA_BYTES", DEFAULT_QUOTA_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "FIELDWORK_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


def megabytes(size: int) -> str:
    return f"{size / MB:.0f}"


@dataclass
class CleanFile:
    """What is stored: the cleaned bytes, a thumbnail for images, and facts about them."""

    kind: str  # "image" or "pdf"
    content: bytes
    extension: str
    content_type: str
    original_name: str
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def clean_name(name: str) -> str:
    """A display name without any path: ``../../etc/x.jpg`` → ``x.jpg``."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = os.path.basename(name.replace("\\", "/"))
    name = get_valid_filename(name.strip().lstrip(".")) if name.strip(". ") else ""
    stem, ext = os.path.splitext(name)
    return (stem[:100] + ext[:10]) or "file"


def _not_accepted() -> ValidationError:
    return ValidationError(
        _(
            "This type of file is not accepted. Please attach a photo (JPEG, PNG or HEIC) "
            "or a PDF document."
        ),
        code="file_type",
    )


def clean_upload(uploaded) -> CleanFile:
    """Check an uploaded file and return what may be stored, or raise ValidationError."""
    limit = max_upload_bytes()
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). Files up to %(limit)s MB can be attached.")
            % {"size": f"{uploaded.size / MB:.1f}", "limit": megabytes(limit)},
            code="file_size",
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file is too large. Files up to %(limit)s MB can be attached.")
            % {"limit": megabytes(limit)},
            code="file_size",
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="file_empty")
    name = clean_name(getattr(uploaded, "name", ""))
    if data.startswith(PDF_MAGIC):
        return _clean_pdf(data, name)
    return _clean_image(data, name)


def _clean_pdf(data: bytes, name: str) -> CleanFile:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            _("This PDF file seems to be damaged or incomplete. Please save it again."),
            code="file_damaged",
        )
    stem = os.path.splitext(name)[0]
    return CleanFile(
        kind="pdf",
        content=data,
        extension="pdf",
        content_type="application/pdf",
        original_name=f"{stem}.pdf",
    )


def _too_many_pixels(pixels: int | None) -> ValidationError:
    if pixels is None:
        return ValidationError(
            _("This image is too large. Please attach a photo of at most %(limit)s megapixels.")
            % {"limit": f"{max_pixels() / 1_000_000:.0f}"},
            code="image_pixels",
        )
    return ValidationError(
        _(
            "This image is too large (%(megapixels)s megapixels). Please attach a photo of "
            "at most %(limit)s megapixels."
        )
        % {"megapixels": f"{pixels / 1_000_000:.0f}", "limit": f"{max_pixels() / 1_000_000:.0f}"},
        code="image_pixels",
    )


def _open_image(data: bytes):
    """Open (headers only), check the format and the pixel count, then verify the file."""
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise _not_accepted()
            if image.width * image.height > limit:
                raise _too_many_pixels(image.width * image.height)
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None) from exc
    except UnidentifiedImageError as exc:
        raise _not_accepted() from exc
    except ValidationError:
        raise
    except Exception as exc:  # truncated or corrupt data: Pillow raises many kinds
        raise ValidationError(
            _("This image seems to be damaged and cannot be read. Please take or save it again."),
            code="file_damaged",
        ) from exc
    # verify() leaves the image unusable: open it again to decode.
    return Image.open(io.BytesIO(data))


def _clean_image(data: bytes, name: str) -> CleanFile:
    image = _open_image(data)
    source_format = image.format
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image)
    except Exception as exc:
        raise ValidationError(
            _("This image seems to be damaged and cannot be read. Please take or save it again."),
            code="file_damaged",
        ) from exc
    image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE))
    keep_png = source_format == "PNG"
    if keep_png:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
    elif image.mode != "RGB":
        image = _flatten(image)
    # A new image with only the pixels: no EXIF, XMP, ICC comments or text chunks survive.
    pixels_only = Image.new(image.mode, image.size)
    pixels_only.paste(image)
    out = io.BytesIO()
    if keep_png:
        pixels_only.save(out, format="PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        pixels_only.save(out, format="JPEG", quality=85, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    thumb = _flatten(pixels_only) if pixels_only.mode != "RGB" else pixels_only.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    stem = os.path.splitext(name)[0]
    return CleanFile(
        kind="image",
        content=out.getvalue(),
        extension=extension,
        content_type=content_type,
        original_name=f"{stem}.{extension}",
        thumbnail=thumb_out.getvalue(),
        width=pixels_only.width,
        height=pixels_only.height,
    )


def _flatten(image):
    """RGB on a white background (transparent PNGs, palette or CMYK images)."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from lms.certificates.rendering import CertificateContent, CertificateDesign

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo", "pdfimages", "zbarimg")


@pytest.fixture(scope="session", autouse=True)
def _pdf_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"install poppler-utils and zbar-tools (make test does): {missing}"


def seal_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(190, 30, 30, 255), width=14)
    draw.rectangle((80, 80, 160, 160), fill=(190, 30, 30, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def design(**changes) -> CertificateDesign:
    values = {
        "language": "ja",
        "title": "修了証",
        "body": "あなたは「{course}」（{hours}時間）の全課程を修了されました。\n\n"
        "ここにその成果をたたえ、これを証します。",
        "signatory_name": "山田 太郎",
        "signatory_title": "一般社団法人地域プロデューサー協会 代表理事",
        "issuer": "地域プロデューサー養成アカデミー",
        "date_style": "japanese_era",
        "seal_image": seal_png(),
    }
    values.update(changes)
    return CertificateDesign(**values)


def english_design(**changes) -> CertificateDesign:
    values = {
        "language": "en",
        "title": "Certificate of Completion",
        "body": "has completed the {course} ({hours} hours) on {date}.",
        "signatory_name": "Taro Yamada",
        "signatory_title": "Representative Director",
        "issuer": "Regional Producer Academy",
        "date_style": "western",
    }
    values.update(changes)
    return CertificateDesign(**values)


def content(**changes) -> CertificateContent:
    values = {
        "name": "髙橋 𠮷子",
        "name_kana": "たかはし よしこ",
        "course_title": "地域プロデューサー養成講座 基礎課程",
        "completed_on": datetime.date(2026, 11, 27),
        "hours": Decimal("24.5"),
        "serial": "RPA-2026-000123",
        "verification_url": "https://academy.example.jp/certificates/verify/RPA-2026-000123/",
    }
    values.update(changes)
    return CertificateContent(**values)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


class Pdf:
    """A rendered PDF on disk and what poppler and zbar make of it."""

    def __init__(self, data: bytes, directory):
        assert data.startswith(b"%PDF-")
        self.path = directory / "certificate.pdf"
        self.path.write_bytes(data)
        self.directory = directory

    def text(self, *, raw: bool = False) -> str:
        """The text; ``raw`` keeps the drawing order (rotated text stays in one piece)."""
        options = ["-raw"] if raw else []
        return run("pdftotext", "-enc", "UTF-8", *options, str(self.path), "-")

    def fonts(self) -> list[dict]:
        lines = run("pdffonts", str(self.path)).splitlines()[2:]
        rows = []
        for line in lines:
            parts = line.split()
            # name type... encoding emb sub uni object-id generation
            rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
        return rows

    def info(self) -> dict[str, str]:
        pairs = (line.split(":", 1) for line in run("pdfinfo", str(self.path)).splitlines())
        return {key.strip(): value.strip() for key, value in pairs}

    def qr_codes(self, dpi: int = 150) -> list[str]:
        prefix = self.directory / "page"
        run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(self.path), str(prefix))
        output = subprocess.run(
            ["zbarimg", "-q", "--raw", f"{prefix}.png"], capture_output=True, text=True
        ).stdout
        return output.splitlines()

    def images(self) -> list[str]:
        """The raster images (not their transparency masks)."""
        rows = run("pdfimages", "-list", str(self.path)).splitlines()[2:]
        return [row for row in rows if row.split()[2] == "image"]

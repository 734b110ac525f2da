"""The renderer fetches nothing but its own assets and sees no font but its own."""

import base64
import http.server
import io
import threading

import pytest
from PIL import Image

from lms.certificates import fonts, rendering
from lms.certificates.pdf_engine import AssetRefused, Renderer, asset_fetcher, asset_url

from .conftest import Pdf


@pytest.fixture(scope="module")
def engine():
    """A Renderer in this process (the worker's engine), to give it hostile HTML."""
    return Renderer(fonts.faces(), rendering.STYLESHEET.read_text(encoding="utf-8"))


@pytest.fixture
def http_server():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 50), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_fetcher_serves_only_its_assets():
    url = asset_url("image", "seal")
    fetcher = asset_fetcher({url: (b"bytes", "image/png")})

    assert fetcher(url).read() == b"bytes"
    for refused in [
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "https://example.com/seal.png",
        "data:image/png;base64," + base64.b64encode(png()).decode(),
        asset_url("image", "logo"),  # not given for this certificate
        asset_url("font", "../../../etc/passwd"),
    ]:
        with pytest.raises(AssetRefused):
            fetcher(refused)


def test_html_and_css_references_are_not_fetched(engine, http_server, tmp_path):
    base, hits = http_server
    local = tmp_path / "local.png"
    local.write_bytes(png())
    data_uri = "data:image/png;base64," + base64.b64encode(png()).decode()
    html = f"""<!DOCTYPE html><html lang="ja"><head>
      <link rel="stylesheet" href="{base}/style.css">
      <style>
        @import url("{base}/import.css");
        @font-face {{ font-family: Evil; src: url("{base}/font.otf"); }}
        body {{ background: url("{local.as_uri()}"); }}
        p {{ background: url("{base}/background.png"); }}
      </style></head><body>
      <p>髙橋</p>
      <img src="{base}/image.png" alt=""><img src="{local.as_uri()}" alt="">
      <img src="{data_uri}" alt=""><img src="file:///etc/passwd" alt="">
      <object data="{base}/object.svg"></object><iframe src="{base}/frame"></iframe>
    </body></html>"""

    pdf = Pdf(engine.render(html, {}, check_fit=False), tmp_path)

    assert hits == []  # nothing reached the network
    assert pdf.images() == []  # neither the local file nor the data: URI was loaded
    assert "髙橋" in pdf.text()


def test_no_system_font_even_without_the_glyph_check(engine, tmp_path):
    # Bypass missing_glyphs on purpose: a character the fonts lack, with generic and
    # system families asked for. With an empty Fontconfig there is nothing to fall back to.
    html = """<!DOCTYPE html><html lang="ja"><body>
      <p style="font-family: 'DejaVu Sans', sans-serif">𪛖 abc</p>
      <p style="font-family: monospace">髙橋 Hello</p></body></html>"""

    pdf = Pdf(engine.render(html, {}, check_fit=False), tmp_path)

    rows = pdf.fonts()
    assert rows
    for row in rows:
        assert row["name"].partition("+")[2] in fonts.PDF_FONT_NAMES, row
        assert (row["emb"], row["sub"]) == ("yes", "yes"), row

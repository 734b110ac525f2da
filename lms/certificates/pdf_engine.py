"""The WeasyPrint side of certificate rendering: runs in a long-lived worker process.

Nothing here imports Django: the parent process (``rendering.py``) renders the HTML with
Django's templates (escaping every user text), and this module turns HTML into PDF bytes.

* **Fonts** come only from the faces named in ``FontFace`` specs (the Japanese faces of
  Debian's Noto CJK collections, see docs/decisions/0013-certificate-fonts.md). Each face
  is cut out of its ``.ttc`` collection once per process with fontTools and handed to
  WeasyPrint through ``@font-face`` rules and the asset fetcher. The Fontconfig
  configuration is an empty one (``FcConfigCreate``), not the system's: the renderer cannot
  see a system font even by accident, so a missing glyph can never silently fall back to
  another font.
* **URLs**: ``AssetFetcher`` serves an explicit allow-list of ``certificate-asset:`` URLs
  (the fonts, the seal, the logo, the QR code of one certificate) and refuses everything
  else: no ``file://``, no network, no ``data:``, hence no redirects either.
* **Reuse**: ``Renderer`` keeps its ``FontConfiguration`` and the parsed ``CSS`` between
  certificates; ``worker_main`` keeps one ``Renderer`` for the life of the process.
"""

from __future__ import annotations

import io
import traceback
from dataclasses import dataclass

ASSET_SCHEME = "certificate-asset"


@dataclass(frozen=True)
class FontFace:
    """One face of a font collection: ``family`` is the name the stylesheet uses."""

    key: str  # the URL path: certificate-asset:font/<key>
    path: str  # the .ttc/.otf file
    face_name: str  # the face's family name in its name table, e.g. "Noto Serif CJK JP"
    family: str  # the @font-face family name
    weight: int  # 400 or 700


def asset_url(kind: str, key: str) -> str:
    return f"{ASSET_SCHEME}:{kind}/{key}"


class AssetRefused(ValueError):
    """A URL outside the fetcher's allow-list."""


class TooLong(ValueError):
    """The certificate does not fit on one page; ``args[0]`` is the number of pages."""


def face_bytes(path: str, face_name: str) -> bytes:
    """The bytes of one face of a font collection (or of a single font file).

    Not cached: WeasyPrint keeps its own copy (a file in its temporary folder, mapped by
    FreeType), so the renderer lets these bytes go once its stylesheet is parsed; that
    keeps the worker at about 210 MB between certificates instead of about 460 MB."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as handle:
        is_collection = handle.read(4) == b"ttcf"
    fonts = TTCollection(path).fonts if is_collection else [TTFont(path)]
    for font in fonts:
        if font["name"].getDebugName(1) == face_name:
            out = io.BytesIO()
            font.save(out)  # tables not decoded are copied as they are: fast
            return out.getvalue()
    raise LookupError(f"No face named {face_name!r} in {path}")


def _isolated_font_configuration():
    """A WeasyPrint FontConfiguration over an EMPTY Fontconfig configuration.

    WeasyPrint's own ``FontConfiguration`` starts from ``FcInitLoadConfigAndFonts()``,
    i.e. every font of the system. Here the configuration is created empty, so the only
    fonts Pango can choose from are the ones the ``@font-face`` rules add.
    """
    import cffi
    from weasyprint.text.ffi import ffi, fontconfig, gobject, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    own_ffi = cffi.FFI()
    own_ffi.cdef("typedef struct _FcConfig FcConfig; FcConfig * FcConfigCreate (void);")
    libfontconfig = own_ffi.dlopen("libfontconfig.so.1")

    class IsolatedFontConfiguration(FontConfiguration):
        def __init__(self):
            empty = libfontconfig.FcConfigCreate()
            self._config = ffi.cast("FcConfig *", int(own_ffi.cast("uintptr_t", empty)))
            self.font_map = ffi.gc(pangoft2.pango_ft2_font_map_new(), gobject.g_object_unref)
            pangoft2.pango_fc_font_map_set_config(
                ffi.cast("PangoFcFontMap *", self.font_map), self._config
            )
            # pango_fc_font_map_set_config keeps its own reference.
            fontconfig.FcConfigDestroy(self._config)
            self._folder = None
            self.strut_layouts = {}
            self.font_features = {}

    return IsolatedFontConfiguration()


def _make_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves exactly the ``certificate-asset:`` URLs it was given; refuses the rest."""

        def __init__(self, assets: dict[str, tuple[bytes, str]]):
            super().__init__(allowed_protocols=(ASSET_SCHEME,), allow_redirects=False)
            self._assets = dict(assets)

        def fetch(self, url, headers=None):
            try:
                body, content_type = self._assets[url]
            except KeyError:
                raise AssetRefused(f"Refused to fetch {url!r}: not a bundled asset") from None
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

        def open(self, url, data=None, timeout=None):  # never urllib's openers
            return self.fetch(getattr(url, "full_url", url))

    return AssetFetcher


def asset_fetcher(assets: dict[str, tuple[bytes, str]]):
    """A WeasyPrint URL fetcher serving only ``assets`` ({url: (bytes, content type)})."""
    return _make_fetcher_class()(assets)


def font_face_css(faces: list[FontFace]) -> str:
    return "\n".join(
        f"@font-face {{ font-family: {_css_string(face.family)}; "
        f"src: url({asset_url('font', face.key)}); font-weight: {face.weight}; "
        "font-style: normal; }"
        for face in faces
    )


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Renderer:
    """Turns certificate HTML into PDF bytes, reusing fonts and parsed CSS between calls."""

    def __init__(self, faces: list[FontFace], stylesheet: str):
        from weasyprint import CSS

        self.font_config = _isolated_font_configuration()
        fetcher = asset_fetcher(
            {
                asset_url("font", face.key): (face_bytes(face.path, face.face_name), "font/otf")
                for face in faces
            }
        )
        self.stylesheets = [
            CSS(
                string=font_face_css(faces) + "\n" + stylesheet,
                base_url=f"{ASSET_SCHEME}:/",
                url_fetcher=fetcher,
                font_config=self.font_config,
            )
        ]
        fetcher._assets.clear()  # the fonts are loaded: let their bytes go

    def render(
        self, html: str, images: dict[str, tuple[bytes, str]], *, check_fit: bool = True
    ) -> bytes:
        """``images``: {key: (bytes, content type)}, referenced as certificate-asset:image/<key>.

        ``check_fit``: raise ``TooLong`` unless the certificate is one page and its text
        (up to ``.flow-end``) stays above the ``.bottom-band`` boxes.
        """
        from weasyprint import HTML

        fetcher = asset_fetcher({asset_url("image", k): v for k, v in images.items()})
        html_document = HTML(string=html, base_url=f"{ASSET_SCHEME}:/", url_fetcher=fetcher)
        document = html_document.render(stylesheets=self.stylesheets, font_config=self.font_config)
        if check_fit and (len(document.pages) != 1 or _overlaps_footer(document.pages[0])):
            raise TooLong(len(document.pages))
        return document.write_pdf()


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _overlaps_footer(page) -> bool:
    """Whether the text (up to the element of class ``flow-end``) runs into the boxes of
    class ``bottom-band`` (signatory, QR code): the sheet has a fixed height, so text that
    is too long would not make a second page, it would be printed over them."""
    end, band_tops = None, []
    for box in _boxes(page._page_box):
        element = getattr(box, "element", None)
        if element is None or getattr(box, "element_tag", None) is None:
            continue
        classes = (element.get("class") or "").split()
        if "flow-end" in classes and end is None:
            end = box.position_y + box.margin_height()
        if "bottom-band" in classes:
            band_tops.append(box.position_y)
    if end is None or not band_tops:
        return True  # pushed off the page altogether
    return end > min(band_tops)


def worker_main(connection) -> None:
    """The worker process: one Renderer for its whole life, one job at a time.

    First receives ``(faces, stylesheet)`` and answers ``("ready", None)`` once the fonts
    are loaded; then receives ``(html, images)`` jobs and answers ``("ok", pdf)`` or
    ``("error", text)``. ``None`` or a closed connection ends it.
    """
    try:
        faces, stylesheet = connection.recv()
        renderer = Renderer(faces, stylesheet)
    except Exception:
        connection.send(("error", traceback.format_exc()))
        return
    connection.send(("ready", None))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        html, images = job
        try:
            connection.send(("ok", renderer.render(html, images)))
        except TooLong as error:
            connection.send(("too_long", error.args[0]))
        except Exception:
            connection.send(("error", traceback.format_exc()))


if __name__ == "__main__":
    # python -m lms.certificates.pdf_engine <fd>: started by rendering._RenderWorker with
    # one end of a socket pair (a fresh interpreter: no fork of a threaded server, and
    # no re-import of the parent's __main__ as multiprocessing's "spawn" would do).
    import sys
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])))

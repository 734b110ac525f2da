#!/usr/bin/env python
"""Certificate PDFs: the first render against later ones, and what reusing the renderer saves.

    .venv/bin/python bench/certificates.py [--count 20] [--fresh 3]

Renders through ``lms.certificates.rendering.render_certificate`` (the glyph check, the
template, the QR code, then the long-lived worker process):

* ``first``: the first certificate of a process, which starts the worker (a fresh
  interpreter, WeasyPrint, the three font faces cut out of the Noto CJK collections, the
  ``@font-face`` rules and the stylesheet parsed once);
* ``reused``: ``--count`` more certificates, each with another name, through that worker;
* ``fresh``: ``--fresh`` certificates each rendered by a NEW ``Renderer`` in this process
  (a new font configuration, fonts loaded and CSS parsed again), i.e. without the reuse.

Prints the times (ms), the mean per certificate and the ratio fresh/reused, in one run.
Exits 1 when reuse saves less than half (ratio below 2) or a reused render takes over
2 seconds on average (far off on this 2-core machine, where it is a few hundred ms).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness.django_script import setup_django

setup_django("lms.settings.test")

from lms.certificates import fonts, pdf_engine, rendering  # noqa: E402
from lms.certificates.rendering import (  # noqa: E402
    CertificateContent,
    CertificateDesign,
    render_certificate,
)

NAMES = ["髙橋 𠮷子", "山﨑 太郎", "𠮷野 花子", "齋藤 健", "渡邊 美咲", "Emma O'Neill"]

DESIGN = CertificateDesign(
    language="ja",
    title="修了証",
    body="あなたは「{course}」（{hours}時間）の全課程を修了されました。\n\n"
    "ここにその成果をたたえ、これを証します。",
    signatory_name="山田 太郎",
    signatory_title="一般社団法人地域プロデューサー協会 代表理事",
    issuer="地域プロデューサー養成アカデミー",
    date_style="japanese_era",
)


def content(number: int) -> CertificateContent:
    serial = f"RPA-2026-{number:06d}"
    return CertificateContent(
        name=NAMES[number % len(NAMES)],
        name_kana="",
        course_title="地域プロデューサー養成講座 基礎課程",
        completed_on=datetime.date(2026, 11, 27),
        hours=Decimal("24.5"),
        serial=serial,
        verification_url=f"https://academy.example.jp/certificates/verify/{serial}/",
    )


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def fresh_render(number: int) -> None:
    """Without reuse: a new Renderer (fonts and CSS loaded again) for one certificate."""
    html, images = rendering._document(content(number), DESIGN, sample=False)
    renderer = pdf_engine.Renderer(fonts.faces(), rendering.STYLESHEET.read_text(encoding="utf-8"))
    renderer.render(html, images)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--fresh", type=int, default=3)
    args = parser.parse_args(argv)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    first = timed(render_certificate, content(0), DESIGN)
    reused = [timed(render_certificate, content(n), DESIGN) for n in range(1, args.count + 1)]
    fresh = [timed(fresh_render, n) for n in range(args.fresh)]
    rendering.renderer.close()

    reused_mean = statistics.mean(reused)
    fresh_mean = statistics.mean(fresh)
    ratio = fresh_mean / reused_mean
    print(f"first certificate (starts the worker): {first:8.0f} ms")
    print(f"second certificate:                    {reused[0]:8.0f} ms")
    print(
        f"{args.count} certificates, reused worker:     {sum(reused):8.0f} ms total, "
        f"{reused_mean:.0f} ms each (median {statistics.median(reused):.0f}, "
        f"max {max(reused):.0f})"
    )
    print(f"{args.fresh} certificates, fresh renderer each: {fresh_mean:8.0f} ms each")
    print(f"ratio fresh / reused: {ratio:.1f}x")
    if ratio < 2 or reused_mean > 2000:
        print("FAIL: reuse does not pay as it should")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

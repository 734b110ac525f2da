"""Rebuild ``prefecture_paths.tsv`` from the geometry shipped in the PyPI package ``japanmap``.

Not used at run time, and ``japanmap`` is not a dependency of the project: the data is read
straight out of the wheel, so nothing needs to be installed. To rebuild::

    pip download --no-deps japanmap==0.6.0 -d <folder>
    python lms/fieldwork/data/build_prefecture_paths.py <folder>/japanmap-0.6.0-py3-none-any.whl

``japanmap`` (Apache License 2.0, by Saito Tsutomu) stores the boundary of each prefecture's
main area (the area that holds its prefectural office) as a topology: a list of points in
longitude/latitude, and for each prefecture the border segments it shares with each
neighbour (or with the sea). This script

1. projects the points (equirectangular, scaled by cos 36°, north up) into a 1000-unit-wide
   view box;
2. simplifies each border segment with Douglas–Peucker, and keeps a point if the
   simplification of *either* side kept it, so neighbouring prefectures still share
   exactly the same border after simplification (no slivers, no gaps);
3. moves Okinawa, enlarged, into an inset at the bottom right;
4. writes one compact relative SVG path per prefecture, keyed by the slugs of
   ``lms.accounts.models.PREFECTURES``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import zipfile
from pathlib import Path

SLUGS = (
    "hokkaido aomori iwate miyagi akita yamagata fukushima ibaraki tochigi gunma saitama chiba "
    "tokyo kanagawa niigata toyama ishikawa fukui yamanashi nagano gifu shizuoka aichi mie "
    "shiga kyoto osaka hyogo nara wakayama tottori shimane okayama hiroshima yamaguchi "
    "tokushima kagawa ehime kochi fukuoka saga nagasaki kumamoto oita miyazaki kagoshima okinawa"
).split()

WIDTH = 1000
PAD = 10
TOLERANCE = 1.2  # view-box units (≈ 1.5 km): invisible at the sizes the map is shown at
OKINAWA = 46
OKINAWA_SCALE = 2.5
#: The inset frame for Okinawa, in the Pacific south of Tokyo: x, y, width, height.
INSET = (760, 850, 220, 230)

OUTPUT = Path(__file__).with_name("prefecture_paths.tsv")


def _perpendicular(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    return abs(dy * px - dx * py + bx * ay - by * ax) / math.hypot(dx, dy)


def _douglas_peucker(indices, points, tolerance):
    """The subset of ``indices`` (a polyline) that Douglas–Peucker keeps; ends always kept."""
    keep = {indices[0], indices[-1]}
    stack = [(0, len(indices) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[indices[first]], points[indices[last]]
        worst, worst_at = -1.0, None
        for n in range(first + 1, last):
            d = _perpendicular(points[indices[n]], a, b)
            if d > worst:
                worst, worst_at = d, n
        if worst > tolerance:
            keep.add(indices[worst_at])
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return keep


def _relative_path(ring):
    """``M x y`` then relative ``l`` moves, integers only; consecutive repeats dropped."""
    rounded = []
    for x, y in ring:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    (x0, y0), rest = rounded[0], rounded[1:]
    moves, (px, py) = [], (x0, y0)
    for x, y in rest:
        moves.append(f"{x - px} {y - py}")
        px, py = x, y
    # Drop the sign-separating spaces SVG does not need: "3 -2" → "3-2".
    body = " ".join(moves).replace(" -", "-")
    return f"M{x0} {y0}l{body}z"


def build(wheel: Path) -> str:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with zipfile.ZipFile(wheel) as archive:
        raw_points, prefectures = json.loads(archive.read("japanmap/japan.json"))
    lonlat = [tuple(p[0]) for p in raw_points]

    mainland = {
        i for k, segments in enumerate(prefectures) if k != OKINAWA for _, s in segments for i in s
    }
    west = min(lonlat[i][0] for i in mainland)
    east = max(lonlat[i][0] for i in mainland)
    north = max(lonlat[i][1] for i in mainland)
    south = min(lonlat[i][1] for i in mainland)
    x_factor = math.cos(math.radians(36))
    scale = (WIDTH - 2 * PAD) / ((east - west) * x_factor)
    height = math.ceil((north - south) * scale + 2 * PAD)

    def project(lon, lat):
        return (PAD + (lon - west) * x_factor * scale, PAD + (north - lat) * scale)

    points = [project(lon, lat) for lon, lat in lonlat]

    # Okinawa: enlarged about its own centre, then centred in the inset frame.
    okinawa = {i for _, s in prefectures[OKINAWA] for i in s}
    xs = [points[i][0] for i in okinawa]
    ys = [points[i][1] for i in okinawa]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    fx, fy, fw, fh = INSET
    for i in okinawa:
        x, y = points[i]
        points[i] = (
            fx + fw / 2 + (x - cx) * OKINAWA_SCALE,
            fy + fh / 2 + (y - cy) * OKINAWA_SCALE,
        )

    keep = set()
    for segments in prefectures:
        for _, indices in segments:
            keep |= _douglas_peucker(indices, points, TOLERANCE)

    lines = [
        "# Simplified outlines of Japan's 47 prefectures, as SVG path data (one line each:",
        "# prefecture slug, tab, path), plus the view box and the Okinawa inset frame.",
        "# Derived from the geometry in the PyPI package japanmap 0.6.0 by Saito Tsutomu,",
        "# licensed under the Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0);",
        f"# wheel sha256 {digest}.",
        "# Changes: projected, simplified (Douglas-Peucker, shared borders kept shared), Okinawa",
        "# moved into an enlarged inset; each prefecture's main area only (its outlying islands",
        "# are not in the source). Rebuilt by build_prefecture_paths.py beside this file.",
        f"viewbox\t0 0 {WIDTH} {height}",
        "inset\t" + " ".join(str(v) for v in INSET),
    ]
    for slug, segments in zip(SLUGS, prefectures, strict=True):
        ring = [points[i] for _, indices in segments for i in indices if i in keep]
        lines.append(f"{slug}\t{_relative_path(ring)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(build(Path(sys.argv[1])), encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")

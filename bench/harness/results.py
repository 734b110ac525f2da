"""The results file every benchmark writes (bench/results/, git-ignored).

``results_path`` names it (``<benchmark>-<UTC start>.json`` unless ``--output`` says
otherwise), ``header`` gives the fields every micro-benchmark's document starts with (what
ran, where, on which commit and versions), ``write_results`` writes it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.harness import RESULTS_DIR, ROOT
from bench.harness.site import redact


def results_path(benchmark: str, started: datetime, given: Path | None = None) -> Path:
    """``given`` (--output), else bench/results/<benchmark>-<started, UTC>.json."""
    return given or RESULTS_DIR / f"{benchmark}-{started:%Y%m%dT%H%M%SZ}.json"


def shown(path: Path) -> Path:
    """The path as printed: relative to the repository when it is inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def write_results(path: Path, document: dict, *, indent: int = 2) -> Path:
    """Write the document as JSON (UTF-8, non-ASCII kept), making the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=indent, ensure_ascii=False) + "\n")
    return path


def git_state() -> dict[str, object]:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def package_versions(*names: str) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


PACKAGES = ("django", "wagtail", "gunicorn")


def header(
    benchmark: str,
    started: datetime,
    problems: list[str],
    database_url: str,
    *,
    packages: tuple[str, ...] = PACKAGES,
    load_average: bool = False,
) -> dict:
    """The first fields of a micro-benchmark's document: benchmark, started_at, ok,
    problems, git, machine (with the load average when asked), packages, database."""
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    if load_average:
        machine["load_average"] = os.getloadavg()
    return {
        "benchmark": benchmark,
        "started_at": started.isoformat(timespec="seconds"),
        "ok": not problems,
        "problems": problems,
        "git": git_state(),
        "machine": machine,
        "packages": package_versions(*packages),
        "database": redact(database_url),
    }

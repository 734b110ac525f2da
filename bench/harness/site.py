"""The benchmark's environment and database, and Django scripts run in them.

A micro-benchmark (bench/pages.py, quiz.py, gradebook.py) runs in a temp dir:
``bench_site()`` picks the database (a throw-away SQLite file, or ``DATABASE_URL`` on
127.0.0.1), builds the environment every ``manage.py``, Django script and gunicorn of the
run gets (bench/settings.py, a random ``SECRET_KEY``, plain http, catalogues compiled
from locale/*.po) and migrates, seeds and collects static files. Django code then runs in
child processes with that environment (``run_django``), never in the benchmark's own
process, so the timed client does not share its interpreter with Django.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.harness import HOST, ROOT, BenchError

SETTINGS_MODULE = "bench.settings"
LOCAL_DB_HOSTS = {"", "127.0.0.1", "localhost", "::1"}


def database_url_for(tmp: Path) -> str:
    """DATABASE_URL from the environment (e.g. PostgreSQL), else a throw-away SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    host = urlsplit(url).hostname or ""
    if not url.startswith("sqlite") and host not in LOCAL_DB_HOSTS:
        raise BenchError(
            f"DATABASE_URL points at {host!r}: the benchmark migrates and seeds demo accounts "
            "into its database, so it only accepts a database on 127.0.0.1."
        )
    return url


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def bench_environment(tmp: Path, database_url: str) -> dict[str, str]:
    """The environment manage.py and gunicorn run with: production settings, on plain http."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "SECURE_SSL_REDIRECT": "False",  # gunicorn speaks plain http here, no TLS proxy
            "BENCH_STATIC_ROOT": str(tmp / "static"),
            "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
        }
    )
    locale_dir = compile_messages(tmp / "locale")
    if locale_dir is not None:
        env["BENCH_LOCALE_DIR"] = str(locale_dir)
    return env


def compile_messages(dest: Path) -> Path | None:
    """Compile locale/*.po into dest (msgfmt, else polib); None when neither is available."""
    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))
    msgfmt = shutil.which("msgfmt")
    try:
        import polib
    except ImportError:
        polib = None
    if not catalogues or (msgfmt is None and polib is None):
        print("warning: cannot compile locale/*.po; using the working tree's .mo files")
        return None
    for po in catalogues:
        mo = dest / po.relative_to(ROOT / "locale").with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        if msgfmt:
            result = subprocess.run(
                [msgfmt, "--check-format", "-o", str(mo), str(po)], capture_output=True, text=True
            )
            if result.returncode != 0:
                raise BenchError(f"msgfmt {po.relative_to(ROOT)} failed:\n{result.stderr}")
        else:
            polib.pofile(str(po)).save_as_mofile(str(mo))
    return dest


def _tail(result: subprocess.CompletedProcess, lines: int = 30) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


def manage(env: dict[str, str], *args: str) -> None:
    """Run manage.py with the benchmark's environment; raise BenchError with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed; the end of its output:\n{_tail(result)}"
        )


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, seed the demo content, collect static files (production's manifest storage)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")


@dataclass(frozen=True)
class Site:
    """A prepared benchmark site: its temp dir, database and environment."""

    tmp: Path
    database_url: str
    env: dict[str, str]


@contextmanager
def bench_site() -> Iterator[Site]:
    """A temp dir with the environment and a migrated, seeded database, as every
    micro-benchmark starts: prints the database and the preparation, removes the temp dir
    (and the SQLite file in it) on the way out."""
    with tempfile.TemporaryDirectory(prefix="rpa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = database_url_for(tmp)
        env = bench_environment(tmp, database_url)
        print(f"database: {redact(database_url)}")
        print("preparing: migrate, seed_demo, collectstatic ...", flush=True)
        prepare_site(env)
        yield Site(tmp, database_url, env)


def run_django(env: dict[str, str], module: str, *args: str) -> dict:
    """Run `python -m module *args --output FILE` with the benchmark's environment (its
    settings, database and SECRET_KEY) and return the JSON it wrote to FILE.

    The module exits non-zero with its reason on stderr when it cannot do its job; that
    becomes a BenchError. Such modules are written with bench.harness.django_script.
    """
    with tempfile.TemporaryDirectory(prefix="rpa-bench-run-") as tmp:
        output = Path(tmp) / "output.json"
        result = subprocess.run(
            [sys.executable, "-m", module, *args, "--output", str(output)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not output.exists():
            raise BenchError(f"python -m {module} failed; the end of its output:\n{_tail(result)}")
        return json.loads(output.read_text())


def run_django_with_file(env: dict[str, str], module: str, option: str, data, *args: str) -> dict:
    """run_django with ``data`` written as JSON to a temp file passed as ``option FILE``
    (a ledger, a list of ids: more than fits on a command line)."""
    with tempfile.TemporaryDirectory(prefix="rpa-bench-input-") as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(data, ensure_ascii=False))
        return run_django(env, module, option, str(path), *args)


@dataclass(frozen=True)
class Login:
    """A demo user logged in once before the load: the Cookie header every request of
    theirs sends, and the logout form's action, which only a logged-in page shows."""

    email: str
    cookie: str
    logout_path: str


def log_in(env: dict[str, str], emails: list[str]) -> dict[str, Login]:
    """One session per user, created in the benchmark's database (bench/sessions.py:
    Django's test Client force_login), keyed by e-mail. Sessions live in the database,
    so every gunicorn worker accepts them; the same SECRET_KEY validates them."""
    if not emails:
        return {}
    data = run_django(env, "bench.sessions", *emails)
    name = data["cookie_name"]
    return {
        email: Login(email, f"{name}={key}", data["logout_path"])
        for email, key in data["sessions"].items()
    }

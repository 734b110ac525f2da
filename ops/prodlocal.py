"""A production-like stack on this machine: gunicorn with the production settings on
PostgreSQL and Redis, a django-tasks database worker, and media on S3-compatible object
storage (a local moto server standing in for S3).

    from ops.prodlocal import ProdLocal

    with ProdLocal(port=8765, gunicorn_workers=4, worker=True, database="rpa_prodlocal",
                   fresh=True, seed=True) as stack:
        stack.base_url        # "http://127.0.0.1:8765"
        stack.manage("check", "--deploy")

``python -m ops.prodlocal`` (``make prod-local``) runs it in the foreground until Ctrl-C.

Every process runs with ``lms.settings.production``. Because the stack is served over plain
HTTP on 127.0.0.1, the environment turns off what only makes sense behind a TLS proxy
(``SECURE_SSL_REDIRECT``, ``SESSION_COOKIE_SECURE``, ``CSRF_COOKIE_SECURE``, HSTS). Those
variables must never be set like this in a real deployment (docs/operations.md). The demo
content is loaded by running ``seed_demo`` alone with ``DEMO_SEED_ALLOWED=true``; the app
servers and the worker never get that variable.

Each child process leads its own process group; ``stop()`` (also on leaving the ``with``
block, at interpreter exit and when this process dies) ends every group: SIGTERM first so
gunicorn and the worker shut down gracefully, SIGKILL for whatever is left.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER_URL = "redis://127.0.0.1:6379"
HOST = "127.0.0.1"
BUCKET = "rpa-prodlocal"

# Variables the settings read: never inherited from the caller's shell, so the stack is the
# same whoever starts it (a developer's DEBUG=1 or MEDIA_ROOT must not leak in).
_SETTINGS_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "SESSION_ENGINE",
    "MEDIA_URL",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "STATIC_ROOT",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_CUSTOM_DOMAIN",
    "CSP_MEDIA_ORIGINS",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "TASKS_BACKEND",
    "WAGTAILADMIN_BASE_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DEMO_SEED_ALLOWED",
    "WEB_CONCURRENCY",
    "GUNICORN_BIND",
    "GUNICORN_TIMEOUT",
    "FORWARDED_ALLOW_IPS",
)

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when the process that started it dies, so a crashed or
    killed test run leaves no app server behind."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _redis_db_for(database: str) -> int:
    """A Redis database number (1-15) derived from the PostgreSQL database name, so two
    stacks on different databases do not share (or flush) each other's cache."""
    return int(hashlib.sha256(database.encode()).hexdigest(), 16) % 15 + 1


class ProdLocalError(RuntimeError):
    """The stack could not start; the message carries the end of the failing log."""


class ProdLocal:
    """Start (and stop) the production-like stack. See the module docstring."""

    def __init__(
        self,
        *,
        port: int = 8765,
        gunicorn_workers: int = 4,
        worker: bool = True,
        database: str = "rpa_prodlocal",
        fresh: bool = True,
        seed: bool = True,
        redis_url: str | None = None,
        s3_endpoint_url: str | None = None,
        log_dir: str | os.PathLike | None = None,
        inherit_output: bool = False,
        startup_timeout: float = 90.0,
        use_template: bool = True,
    ) -> None:
        self.port = port
        self.gunicorn_workers = gunicorn_workers
        self.worker = worker
        self.database = database
        self.fresh = fresh
        self.seed = seed
        self.redis_url = redis_url or f"{REDIS_SERVER_URL}/{_redis_db_for(database)}"
        self._external_s3 = s3_endpoint_url
        self.inherit_output = inherit_output
        self.startup_timeout = startup_timeout
        self.use_template = use_template
        # One folder per database and port, emptied at each start: logs stay readable after
        # stop() (and after a failure) without piling up.
        default_logs = Path(tempfile.gettempdir()) / "rpa-prodlocal-logs" / f"{database}-{port}"
        self.log_dir = Path(log_dir or default_logs)
        if log_dir is None:
            shutil.rmtree(self.log_dir, ignore_errors=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.base_url = f"http://{HOST}:{port}"
        self.database_url = f"{POSTGRES_SERVER_URL}/{database}"
        self.worker_id = f"prodlocal-{secrets.token_hex(6)}"
        self.s3_endpoint_url = s3_endpoint_url
        self.env: dict[str, str] = {}
        self.pids: dict[str, int] = {}
        self._processes: dict[str, subprocess.Popen] = {}
        self._logs: dict[str, Path] = {}
        self._started = False
        # Seconds each start-up step took (s3, database, release, migrate, seed, serve).
        self.timings: dict[str, float] = {}

    # -- public ------------------------------------------------------------------------

    def __enter__(self) -> ProdLocal:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> ProdLocal:
        if self._started:
            return self
        self._started = True
        atexit.register(self.stop)
        try:
            if not self._external_s3:
                self._timed("s3", self._start_s3)
            self.env = self._build_env()
            self._ensure_bucket()
            self._timed("release", self._prepare_release)
            if self.fresh:
                self._flush_redis()
            if self.fresh and self.seed and self.use_template:
                self._timed("database", self._database_from_template)
            else:
                if self.fresh:
                    self._timed("database", self._recreate_database, self.database)
                self._timed("migrate", self.manage, "migrate", "--noinput", "-v", "0")
                if self.seed:
                    self._timed("seed", self._seed)
            self.start_app_server(port=self.port, workers=self.gunicorn_workers, name="gunicorn")
            if self.worker:
                self._start_worker()
            self._timed("serve", self.wait_healthy, self.base_url)
        except BaseException:
            self.stop()
            raise
        return self

    def _timed(self, name, function, *args, **kwargs):
        started = time.monotonic()
        result = function(*args, **kwargs)
        self.timings[name] = round(time.monotonic() - started, 1)
        return result

    def manage(self, *args: str, check: bool = True, env: dict | None = None, timeout=900):
        """``manage.py <args>`` with the stack's environment; output captured as text."""
        return subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def start_app_server(
        self, *, port: int, workers: int = 2, name: str | None = None, env: dict | None = None
    ) -> str:
        """Another gunicorn app server on ``port`` sharing this stack's database, Redis and
        object storage (as a second machine behind the proxy would), with ``env`` on top of
        the stack's environment. Returns its base URL."""
        name = name or f"gunicorn-{port}"
        env = {
            **self.env,
            "GUNICORN_BIND": f"{HOST}:{port}",
            "WEB_CONCURRENCY": str(workers),
            **(env or {}),
        }
        self._spawn(
            name,
            [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "ops" / "gunicorn.conf.py")],
            env=env,
        )
        url = f"http://{HOST}:{port}"
        if name != "gunicorn":
            self.wait_healthy(url)
        return url

    def wait_healthy(self, url: str) -> None:
        """Wait until ``url``/healthz/ answers 200 (and every child is still alive)."""
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self._check_alive()
            try:
                with urllib.request.urlopen(f"{url}/healthz/", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise ProdLocalError(f"{url}/healthz/ did not answer 200 in time\n{self._tails()}")
            time.sleep(0.3)

    def log(self, name: str) -> str:
        """What the process ``name`` ("gunicorn", "worker", "s3", ...) has written so far."""
        path = self._logs.get(name)
        return path.read_text(errors="replace") if path and path.exists() else ""

    def stop(self) -> None:
        """End every process this stack started (graceful first), idempotent."""
        processes = list(self._processes.items())
        for _name, process in processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, process in processes:
            remaining = max(0.1, deadline - time.monotonic())
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=remaining)
        for _name, process in processes:
            # The group may still hold children (gunicorn workers, the PDF renderer).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self._processes.clear()
        self.pids.clear()

    # -- steps ---------------------------------------------------------------------------

    def _build_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES}
        origins = f"http://{HOST}:{self.port},http://localhost:{self.port}"
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "lms.settings.production",
                "PYTHONUNBUFFERED": "1",
                "SECRET_KEY": "prodlocal-" + secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": f"{HOST},localhost",
                "CSRF_TRUSTED_ORIGINS": origins,
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_ENDPOINT_URL": self.s3_endpoint_url,
                "AWS_S3_REGION_NAME": "us-east-1",
                "AWS_ACCESS_KEY_ID": "prodlocal",
                "AWS_SECRET_ACCESS_KEY": "prodlocal-secret",
                "EMAIL_URL": "consolemail://",
                "WAGTAILADMIN_BASE_URL": self.base_url,
                # Plain HTTP on 127.0.0.1: never set these in a real deployment.
                "SECURE_SSL_REDIRECT": "False",
                "SESSION_COOKIE_SECURE": "False",
                "CSRF_COOKIE_SECURE": "False",
                "SECURE_HSTS_SECONDS": "0",
                "FORWARDED_ALLOW_IPS": HOST,
            }
        )
        return env

    def _start_s3(self) -> None:
        port = free_port()
        self.s3_endpoint_url = f"http://{HOST}:{port}"
        # The S3 server's request log always goes to its file, even in the foreground run.
        self._spawn(
            "s3", [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)], to_file=True
        )
        deadline = time.monotonic() + 30
        while True:
            self._check_alive()
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                return
            if time.monotonic() > deadline:
                raise ProdLocalError(f"the S3 server did not start\n{self._tails()}")
            time.sleep(0.2)

    def s3_client(self):
        """A boto3 client for the stack's object storage."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            region_name=self.env["AWS_S3_REGION_NAME"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
        )

    def _ensure_bucket(self) -> None:
        client = self.s3_client()
        existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
        if BUCKET not in existing:
            client.create_bucket(Bucket=BUCKET)

    def _recreate_database(self, name: str, template: str | None = None) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True) as conn:
            ident = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            if template:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        ident, sql.Identifier(template)
                    )
                )
            else:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))

    def _database_from_template(self) -> None:
        """Migrated and seeded database, cloned from a template database built once per
        day and per version of the migrations, the seed and the installed packages (the
        migrate and seed steps take minutes on a busy machine). The template's object
        storage files are kept beside it on disk and uploaded into this stack's bucket."""
        key = _template_key()
        template = f"rpa_prodlocal_tpl_{key}"
        files = Path(tempfile.gettempdir()) / f"rpa-prodlocal-tpl-{key}"
        lock_path = Path(tempfile.gettempdir()) / "rpa-prodlocal-template.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            uploaded = False
            if not (files / ".complete").exists():
                self._build_template(template, files)
                uploaded = True  # the seed wrote them into this stack's bucket already
            self._recreate_database(self.database, template=template)
        if not uploaded:
            client = self.s3_client()
            for path in files.rglob("*"):
                if path.is_file() and path.name != ".complete":
                    client.upload_file(str(path), BUCKET, path.relative_to(files).as_posix())

    def _build_template(self, template: str, files: Path) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True) as conn:
            stale = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'rpa_prodlocal_tpl_%%'"
            ).fetchall()
            for (name,) in stale:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        for old in Path(tempfile.gettempdir()).glob("rpa-prodlocal-tpl-*"):
            shutil.rmtree(old, ignore_errors=True)
        self._recreate_database(template)
        env = {"DATABASE_URL": f"{POSTGRES_SERVER_URL}/{template}"}
        self._timed("migrate", self.manage, "migrate", "--noinput", "-v", "0", env=env)
        self._timed("seed", self._seed, env)
        client = self.s3_client()
        files.mkdir(parents=True, exist_ok=True)
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for obj in page.get("Contents", []):
                target = files / obj["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(BUCKET, obj["Key"], str(target))
        (files / ".complete").write_text(template)

    def _flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def _prepare_release(self) -> None:
        """compilemessages and collectstatic, when their output is older than their input
        (under a lock: stacks started side by side share the checkout)."""
        lock_path = Path(tempfile.gettempdir()) / "rpa-prodlocal-release.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _stale(BASE_DIR / "locale", "*.po", ".mo"):
                self.manage("compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v", "0")
            manifest = BASE_DIR / "staticfiles" / "staticfiles.json"
            if _static_stale(manifest):
                self.manage("collectstatic", "--noinput", "-v", "0")

    def _seed(self, env: dict | None = None) -> None:
        # The one explicit exception to "production settings refuse the demo seed": this
        # command alone gets DEMO_SEED_ALLOWED; the app servers and the worker never do.
        self.manage("seed_demo", env={**(env or {}), "DEMO_SEED_ALLOWED": "true"})
        self.manage("textsearch_reindex", env=env)

    def _start_worker(self) -> None:
        self._spawn(
            "worker",
            [
                sys.executable,
                str(BASE_DIR / "manage.py"),
                "task_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.5",
                "--no-reload",
                "--no-startup-delay",
                "--worker-id",
                self.worker_id,
            ],
        )

    # -- processes -----------------------------------------------------------------------

    def _spawn(
        self, name: str, command: list[str], env: dict | None = None, to_file: bool = False
    ) -> None:
        if self.inherit_output and not to_file:
            stdout = stderr = None
        else:
            path = self.log_dir / f"{name}.log"
            self._logs[name] = path
            stdout = open(path, "ab")
            stderr = subprocess.STDOUT
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env if env is not None else (self.env or None),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        if stdout is not None:
            stdout.close()
        self._processes[name] = process
        self.pids[name] = process.pid

    def _check_alive(self) -> None:
        for name, process in self._processes.items():
            if process.poll() is not None:
                raise ProdLocalError(f"{name} exited with {process.returncode}\n{self._tails()}")

    def _tails(self) -> str:
        parts = []
        for name in self._logs:
            text = self.log(name)
            parts.append(f"--- {name} (last lines) ---\n" + "\n".join(text.splitlines()[-30:]))
        return "\n".join(parts)


def _template_key() -> str:
    """Changes with the day (the demo content is dated relative to today), the migrations,
    the seed code and the installed packages."""
    import datetime
    import zoneinfo

    digest = hashlib.sha256()
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    digest.update(today.isoformat().encode())
    sources = sorted(
        [*BASE_DIR.glob("lms/**/migrations/*.py"), *BASE_DIR.glob("cms/**/migrations/*.py")]
        + sorted(BASE_DIR.glob("lms/demo/**/*.py"))
    )
    for path in sources:
        digest.update(path.relative_to(BASE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    site_packages = Path(next(p for p in sys.path if p.endswith("site-packages")))
    digest.update(" ".join(sorted(p.name for p in site_packages.glob("*.dist-info"))).encode())
    return digest.hexdigest()[:12]


def _stale(root: Path, pattern: str, suffix: str) -> bool:
    for source in root.rglob(pattern):
        target = source.with_suffix(suffix)
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            return True
    return False


def _static_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    installed = BASE_DIR / ".venv" / ".installed"
    if installed.exists() and installed.stat().st_mtime > built:
        return True
    roots = [BASE_DIR / "static", *BASE_DIR.glob("lms/**/static"), *BASE_DIR.glob("cms/**/static")]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_mtime > built:
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.prodlocal",
        description="Run the production-like stack in the foreground until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database", default="rpa_prodlocal")
    parser.add_argument("--keep", action="store_true", help="keep the database (no fresh start)")
    parser.add_argument("--no-seed", action="store_true", help="no demo content")
    args = parser.parse_args(argv)

    stack = ProdLocal(
        port=args.port,
        gunicorn_workers=args.workers,
        worker=True,
        database=args.database,
        fresh=not args.keep,
        seed=not args.no_seed,
        inherit_output=True,
    )

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    # Both, explicitly: a shell may start this with SIGINT ignored (a background job).
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    print("Starting the production-like stack (PostgreSQL, Redis, S3, gunicorn, worker)...")
    try:
        with stack:
            print(f"\nServing {stack.base_url}/ with lms.settings.production")
            print(f"  admin:        {stack.base_url}/admin/")
            print(f"  health check: {stack.base_url}/healthz/")
            print(f"  database:     {stack.database_url}")
            print(f"  Redis:        {stack.redis_url}")
            print(f"  S3 endpoint:  {stack.env['AWS_S3_ENDPOINT_URL']} bucket {BUCKET}")
            print(f"  processes:    {stack.pids}")
            if not args.no_seed:
                from lms.demo import content

                print(f"Demo logins (password {content.DEMO_PASSWORD}, all in the README):")
                for spec in content.USERS:
                    print(f"  {spec['email']}")
            print(f"  logs of the S3 server: {stack.log_dir / 's3.log'}")
            print("Ctrl-C stops everything.")
            while True:
                for name, process in stack._processes.items():
                    if process.poll() is not None:
                        print(f"{name} exited with {process.returncode}; stopping.")
                        return 1
                time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping...")
    return 0


if __name__ == "__main__":
    sys.exit(main())

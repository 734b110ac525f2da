"""The server under test: production settings on PostgreSQL, gunicorn and the task worker.

``open_stack`` uses ``ops.prodlocal.ProdLocal`` (the project's production-like local stack)
when it is importable, else ``LocalStack`` below, which does the same with the pieces of
bench/harness.py: a fresh PostgreSQL database on 127.0.0.1, ``migrate``, ``seed_demo`` and
``collectstatic`` with production's settings (bench/settings.py: production plus the demo
seed), gunicorn on 127.0.0.1 and ``manage.py task_worker`` with the database task backend.
Either way the object has ``base_url``, ``port``, ``env``, ``database_url``, ``pids`` and
``manage(*args)``, and leaving the ``with`` block stops every process it started.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import ROOT, BenchError, Gunicorn, bench_environment, prepare_site

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def recreate_database(name: str) -> str:
    """Drop and create ``name`` on the local PostgreSQL; return its DATABASE_URL."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise BenchError(f"not a plain database name: {name!r}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def redis_db_for(database: str) -> int:
    """A Redis database number (1-15) of its own for each PostgreSQL database name (as
    ops/prodlocal.py derives it), so stacks on other databases keep their caches."""
    return int(hashlib.sha256(database.encode()).hexdigest(), 16) % 15 + 1


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class LocalStack:
    def __init__(
        self,
        *,
        port: int,
        gunicorn_workers: int,
        database: str,
        worker: bool = True,
        settings_module: str = "bench.settings",
    ):
        self.settings_module = settings_module
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.gunicorn_workers = gunicorn_workers
        self.database = database
        self.with_worker = worker
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.server: Gunicorn | None = None
        self.worker: subprocess.Popen | None = None
        self.env: dict[str, str] = {}
        self.database_url = ""
        self.log_dir: Path | None = None

    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="rpa-load-")
        tmp = Path(self.tmp.name)
        self.log_dir = tmp
        self.database_url = recreate_database(self.database)
        env = bench_environment(tmp, self.database_url)
        redis_url = f"redis://127.0.0.1:6379/{redis_db_for(self.database)}"
        flush_redis(redis_url)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": self.settings_module,
                # The cache (allauth's rate limits, cached_db sessions) shared by the workers.
                "REDIS_URL": redis_url,
                "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                "CONN_MAX_AGE": env.get("CONN_MAX_AGE", "60"),
                "MEDIA_ROOT": str(tmp / "media"),
                "PRIVATE_MEDIA_ROOT": str(tmp / "private-media"),
            }
        )
        self.env = env
        prepare_site(env)
        self.server = Gunicorn(
            env, tmp / "gunicorn.log", port=self.port, workers=self.gunicorn_workers
        )
        self.server.start()
        if self.with_worker:
            with open(tmp / "worker.log", "ab") as log:
                self.worker = subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    @property
    def pids(self) -> dict[str, int | None]:
        return {
            "gunicorn": self.server.proc.pid if self.server and self.server.proc else None,
            "worker": self.worker.pid if self.worker else None,
        }

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=check,
        )

    def log(self, name: str) -> str:
        """What the process ``name`` ("gunicorn", "worker") has written so far."""
        try:
            return (self.log_dir / f"{name}.log").read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def stop(self) -> None:
        if self.worker is not None:
            stop_group(self.worker)
            self.worker = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None


def stop_group(proc: subprocess.Popen) -> None:
    """TERM the process group of ``proc`` (started with start_new_session), KILL after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def pid_alive(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


@contextmanager
def open_stack(
    *, port: int, workers: int, database: str, own: bool = False, trust_proxy: bool = False
):
    """ProdLocal when available (and neither ``own`` nor ``trust_proxy``), else LocalStack;
    yields (stack, kind). ``trust_proxy``: bench/loadsim/settings.py (see there)."""
    prod_local = None
    if not own and not trust_proxy:
        try:
            from ops.prodlocal import ProdLocal as prod_local
        except ImportError:
            prod_local = None
    if prod_local is not None:
        # The stack's logs in a directory of this run's own (kept only until it ends).
        with tempfile.TemporaryDirectory(prefix="rpa-load-stack-") as log_dir:
            with prod_local(
                port=port,
                gunicorn_workers=workers,
                worker=True,
                database=database,
                fresh=True,
                seed=True,
                log_dir=log_dir,
            ) as stack:
                if urlsplit(stack.base_url).hostname != "127.0.0.1":
                    raise BenchError(f"the stack is not on 127.0.0.1: {stack.base_url}")
                yield stack, "ops.prodlocal"
        return
    settings_module = "bench.loadsim.settings" if trust_proxy else "bench.settings"
    with LocalStack(
        port=port, gunicorn_workers=workers, database=database, settings_module=settings_module
    ) as stack:
        yield stack, f"bench LocalStack ({settings_module})"

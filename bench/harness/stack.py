"""The production-like stack of the load and fault tests, and the local PostgreSQL.

``open_stack`` uses ``ops.prodlocal.ProdLocal`` (the project's production-like local stack)
when it is importable, else ``LocalStack`` below, which does the same with the pieces of
the harness: a fresh PostgreSQL database on 127.0.0.1, ``migrate``, ``seed_demo`` and
``collectstatic`` with production's settings (bench/settings.py: production plus the demo
seed), gunicorn on 127.0.0.1 and ``manage.py db_worker`` with the database task backend.
Either way the object has ``base_url``, ``port``, ``env``, ``database_url``, ``pids`` and
``manage(*args)``, and leaving the ``with`` block stops every process it started.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import HOST, ROOT, BenchError
from bench.harness.server import Gunicorn, start_in_group, stop_group
from bench.harness.site import bench_environment, prepare_site

PG_ADMIN_URL = f"postgresql://postgres@{HOST}:5432/postgres"


def recreate_database(name: str) -> str:
    """Drop and create ``name`` on the local PostgreSQL; return its DATABASE_URL."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise BenchError(f"not a plain database name: {name!r}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@{HOST}:5432/{name}"


def pg_accepts() -> bool:
    """Whether the local PostgreSQL accepts a connection now (2 s at most)."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


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
        self.base_url = f"http://{HOST}:{port}"
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
        redis_url = f"redis://{HOST}:6379/{redis_db_for(self.database)}"
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
            self.worker = start_in_group(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
                env,
                tmp / "worker.log",
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
                if urlsplit(stack.base_url).hostname != HOST:
                    raise BenchError(f"the stack is not on 127.0.0.1: {stack.base_url}")
                yield stack, "ops.prodlocal"
        return
    settings_module = "bench.loadsim.settings" if trust_proxy else "bench.settings"
    with LocalStack(
        port=port, gunicorn_workers=workers, database=database, settings_module=settings_module
    ) as stack:
        yield stack, f"bench LocalStack ({settings_module})"


def open_stack_for(args):
    """open_stack with the options of bench.harness.cli.add_trainee_options: --port,
    --workers, --database, --own-stack, --trust-proxy."""
    return open_stack(
        port=args.port,
        workers=args.workers,
        database=args.database,
        own=args.own_stack,
        trust_proxy=args.trust_proxy,
    )

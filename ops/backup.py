"""Back up the database and every stored file into one timestamped folder (or .tar).

    python ops/backup.py /var/backups/rpa                  # -> rpa-backup-20261127T031500Z/
    python ops/backup.py /var/backups/rpa --archive        # -> rpa-backup-20261127T031500Z.tar
    python ops/backup.py /var/backups/rpa --keep 14        # and keep only the newest 14

It uses the same settings as the application (``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``,
the storage variables), so run it with the application's environment. What it writes:

* ``database.pgdump``: ``pg_dump --format=custom`` of the PostgreSQL database, taken in a
  snapshot that the row counts of the manifest share (so they describe exactly the dump);
  or ``database.sqlite3``, a copy made with SQLite's online backup API.
* ``files/<storage>/<name>``: every file of ``storages["default"]`` (images, documents)
  and ``storages["private"]`` (fieldwork evidence, certificate PDFs), read through Django's
  storage API, so it works the same for a local disk and for an S3 bucket.
* ``manifest.json``: the format, when, the application's version and revision, the
  database vendor, the applied migrations, the number of rows of every table, and the size
  and SHA-256 of the database file and of every file. ``ops/restore.py`` checks all of it.

The folder is written as ``.rpa-backup-<stamp>.partial`` and renamed when complete, so a
backup that stopped half-way never looks like a backup. See docs/backups.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
PREFIX = "rpa-backup-"
STORAGE_ALIASES = ("default", "private")
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


def setup_django() -> None:
    """Configure Django as ``manage.py`` does (the same default settings module)."""
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    import django

    django.setup()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Helpers shared with restore.py ---------------------------------------------------------
def sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the connection in PG* variables (the
    password never on a command line, where ``ps`` would show it)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def run(command: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}):\n{result.stderr.strip()}")


def safe_name(name: str) -> PurePosixPath:
    """A storage name as a relative path that cannot leave the backup folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Refusing the file name {name!r}")
    return path


def storage_files(storage, folder: str = ""):
    """Every file name in ``storage`` (recursively, through the storage API)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_files(storage, f"{folder}/{sub}" if folder else sub)


def table_names() -> list[str]:
    """The tables of every installed model (the ones a count can check)."""
    from django.apps import apps

    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            tables.add(meta.db_table)
    return sorted(tables)


def row_counts(cursor, tables, *, quote) -> dict[str, int]:
    existing = set(tables)
    counts = {}
    for table in sorted(existing):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # nosec B608 - model table names
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def app_version() -> dict[str, str]:
    from importlib import metadata

    try:
        version = metadata.version("regional-producer-academy")
    except metadata.PackageNotFoundError:
        version = "unknown"
    revision = os.environ.get("APP_REVISION", "")
    if not revision and (PROJECT_ROOT / ".git").exists():
        result = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
        )
        revision = result.stdout.strip() if result.returncode == 0 else ""
    return {"version": version, "revision": revision}


# --- The backup -----------------------------------------------------------------------------
def _dump_postgresql(connection, work: Path, tables) -> dict:
    """pg_dump in a snapshot shared with the counts and the migration state."""
    from django.db import transaction

    path = work / PG_DUMP_FILE
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)]
    env = pg_environment(connection.settings_dict)
    quote = connection.ops.quote_name
    if connection.in_atomic_block:  # (cannot start a snapshot inside someone's transaction)
        run(command, env=env)
        with connection.cursor() as cursor:
            return {
                "counts": row_counts(cursor, tables, quote=quote),
                "migrations": applied_migrations(cursor),
            }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        run([*command, f"--snapshot={snapshot}"], env=env)
        return {
            "counts": row_counts(cursor, tables, quote=quote),
            "migrations": applied_migrations(cursor),
        }


def _dump_sqlite(connection, work: Path, tables) -> dict:
    """SQLite's online backup API (safe while the application writes), then the counts of
    the copy itself."""
    path = work / SQLITE_FILE
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        cursor = target.cursor()
        present = {
            row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return {
            "counts": row_counts(
                cursor, [t for t in tables if t in present], quote=connection.ops.quote_name
            ),
            "migrations": applied_migrations(cursor),
        }
    finally:
        target.close()


def dump_database(work: Path) -> dict:
    from django.db import connection

    tables = table_names()
    if connection.vendor == "postgresql":
        facts = _dump_postgresql(connection, work, tables)
        name = PG_DUMP_FILE
    elif connection.vendor == "sqlite":
        facts = _dump_sqlite(connection, work, tables)
        name = SQLITE_FILE
    else:
        raise BackupError(f"No backup method for the {connection.vendor} database")
    size, digest = sha256_of(work / name)
    return {
        "vendor": connection.vendor,
        "file": name,
        "size": size,
        "sha256": digest,
        **facts,
    }


def physical_key(storage, name: str) -> tuple:
    """Where a file really is: the bucket and key on S3, the real path on disk. Two storages
    can overlap (on S3 the media storage is the bucket's root and the private storage its
    ``private/`` prefix): a file is backed up once, by the storage that owns it."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket is not None and hasattr(storage, "_normalize_name"):
        return ("s3", bucket, storage._normalize_name(name))
    try:
        return ("path", os.path.realpath(storage.path(name)))
    except NotImplementedError:
        return ("name", id(storage), name)


def copy_storages(work: Path) -> list[dict]:
    """Every file of the backed-up storages, copied through the storage API."""
    from django.core.files.storage import storages

    seen = {
        physical_key(storages["private"], name) for name in storage_files(storages["private"])
    }  # the private storage owns its files, even where the media storage also lists them
    entries = []
    for alias in STORAGE_ALIASES:
        storage = storages[alias]
        count = 0
        for name in storage_files(storage):
            if alias != "private" and physical_key(storage, name) in seen:
                continue
            target = work / "files" / alias / safe_name(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with storage.open(name, "rb") as source, open(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            entries.append(
                {"storage": alias, "name": name, "size": size, "sha256": digest.hexdigest()}
            )
            count += 1
        log(f"  {alias}: {count} files")
    return entries


def backup(destination: Path, *, archive: bool = False) -> Path:
    """Write one backup into ``destination``; returns the folder (or the .tar)."""
    import django
    from django.utils import timezone

    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    final = destination / f"{PREFIX}{stamp}"
    work = destination / f".{PREFIX}{stamp}.partial"
    work.mkdir(mode=0o700)
    try:
        log(f"Backing up into {final}")
        database = dump_database(work)
        log(f"  database ({database['vendor']}): {database['size']} bytes")
        files = copy_storages(work)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "application": app_version(),
            "django": django.get_version(),
            "database": database,
            "storages": {
                alias: {
                    "files": sum(1 for f in files if f["storage"] == alias),
                    "bytes": sum(f["size"] for f in files if f["storage"] == alias),
                }
                for alias in STORAGE_ALIASES
            },
            "files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if not archive:
        return final
    tar_path = destination / f"{final.name}.tar"
    partial = destination / f".{final.name}.tar.partial"
    with tarfile.open(partial, "w") as tar:
        tar.add(final, arcname=final.name)
    partial.chmod(0o600)  # personal data: readable by the backup's owner only
    partial.rename(tar_path)
    shutil.rmtree(final)
    return tar_path


def prune(destination: Path, *, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups (folders and .tar files) of ``destination``."""
    backups = sorted(
        (p for p in Path(destination).iterdir() if p.name.startswith(PREFIX)),
        key=lambda p: p.name.removesuffix(".tar"),
        reverse=True,
    )
    removed = backups[keep:]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("destination", type=Path, help="the folder that receives the backups")
    parser.add_argument("--archive", action="store_true", help="write one .tar file")
    parser.add_argument(
        "--keep", type=int, default=0, help="then keep only the newest N backups (0: keep all)"
    )
    args = parser.parse_args(argv)
    setup_django()
    try:
        path = backup(args.destination, archive=args.archive)
    except BackupError as error:
        log(f"Backup failed: {error}")
        return 1
    if args.keep > 0:
        for removed in prune(args.destination, keep=args.keep):
            log(f"  removed the old backup {removed.name}")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

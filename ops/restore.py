"""Restore a backup made by ``ops/backup.py`` into an EMPTY database and storage.

    python ops/restore.py /var/backups/rpa/rpa-backup-20261127T031500Z
    python ops/restore.py /var/backups/rpa/rpa-backup-20261127T031500Z.tar
    python ops/restore.py BACKUP --force      # into a database or storage that has data

It restores into whatever the application's environment names (``DATABASE_URL``, the
storage variables): create an empty database first (``createdb``). In order:

1. **Check** before touching anything: the manifest's format, the SHA-256 of the database
   file and of every file, the database vendor, that this code knows every migration the
   backup has (a backup from newer code is refused), that the database has no tables and
   that no file of the backup exists in the storages (``--force`` overrides the last three).
2. **Database**: ``pg_restore`` (``--clean --if-exists`` with ``--force``) or, for SQLite,
   the online backup API into the configured file.
3. **Verify** the row count of every table against the manifest.
4. **Files**: put back through Django's storage API under their exact names (local disk or
   S3 alike); a name the storage would change is an error.
5. **After**: ``migrate`` (when the code is newer than the backup), the navigation cache
   made stale (``cms.signals.bump_tree_version``), and a check that every certificate PDF and
   fieldwork attachment the database names is in storage (and lists the private files no
   row names, in the summary's ``unreferenced``). The search index
   (``cms.textsearch`` tables and Wagtail's) is in the database dump: no reindex is needed.

Exits non-zero with a message when anything does not match. See docs/backups.md.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # python ops/restore.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.backup import (
    FORMAT,
    MANIFEST,
    BackupError,
    log,
    pg_environment,
    row_counts,
    safe_name,
    setup_django,
    sha256_of,
)


class Backup:
    """A backup folder (or an extracted .tar) and its manifest."""

    def __init__(self, folder: Path):
        self.folder = folder
        try:
            self.manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise BackupError(f"No readable {MANIFEST} in {folder}: {error}") from error
        if self.manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {self.manifest.get('format')!r}")
        self.database = self.manifest["database"]
        self.files = self.manifest["files"]

    def file_path(self, entry: dict) -> Path:
        return self.folder / "files" / entry["storage"] / safe_name(entry["name"])

    def verify(self) -> None:
        """Every byte as the manifest says, before anything is restored."""
        damaged = []
        database = self.folder / self.database["file"]
        if not database.exists() or sha256_of(database) != (
            self.database["size"],
            self.database["sha256"],
        ):
            damaged.append(self.database["file"])
        for entry in self.files:
            path = self.file_path(entry)
            if not path.exists() or sha256_of(path) != (entry["size"], entry["sha256"]):
                damaged.append(f"{entry['storage']}:{entry['name']}")
        if damaged:
            listed = "\n  ".join(damaged[:20])
            raise BackupError(f"The backup is damaged ({len(damaged)} files):\n  {listed}")


def open_backup(source: Path, scratch: Path) -> Backup:
    source = Path(source)
    if source.is_dir():
        return Backup(source)
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is neither a backup folder nor a .tar of one")
    with tarfile.open(source) as tar:
        tar.extractall(scratch, filter="data")  # no absolute paths, links or devices
    folders = [p for p in scratch.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise BackupError(f"{source} should hold exactly one backup folder")
    return Backup(folders[0])


# --- Checks ---------------------------------------------------------------------------------
def check_migrations(backup: Backup, *, force: bool) -> None:
    """Refuse a backup that has migrations this code does not know (made by newer code)."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in backup.database["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown and not force:
        raise BackupError(
            "The backup was made by a newer version of the application (unknown migrations: "
            + ", ".join(unknown[:10])
            + "). Deploy that version first, or use --force."
        )


def check_database_empty(connection, *, force: bool) -> None:
    tables = connection.introspection.table_names()
    if tables and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']!r} is not empty ({len(tables)} "
            "tables). Restore into a new, empty database, or use --force to replace its contents."
        )


def check_storages_free(backup: Backup, *, force: bool) -> None:
    from django.core.files.storage import storages

    taken = [
        f"{entry['storage']}:{entry['name']}"
        for entry in backup.files
        if storages[entry["storage"]].exists(entry["name"])
    ]
    if taken and not force:
        raise BackupError(
            f"{len(taken)} files of the backup already exist in storage (e.g. {taken[0]}). "
            "Restore into empty storage, or use --force to overwrite them."
        )


# --- Restoring ------------------------------------------------------------------------------
def restore_database(backup: Backup, connection, *, force: bool) -> None:
    path = backup.folder / backup.database["file"]
    vendor = backup.database["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup is of a {vendor} database; the configured database is {connection.vendor}"
        )
    if vendor == "postgresql":
        command = [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
        ]
        if force:
            command += ["--clean", "--if-exists"]
        connection.close()
        result = subprocess.run(
            [*command, str(path)],
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed:\n{result.stderr.strip()}")
    elif vendor == "sqlite":
        target_name = connection.settings_dict["NAME"]
        connection.close()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(target_name)
        try:
            source.backup(target)  # replaces the whole target database
        finally:
            source.close()
            target.close()
    else:
        raise BackupError(f"No restore method for the {vendor} database")


def verify_counts(backup: Backup, connection) -> None:
    expected = backup.database["counts"]
    with connection.cursor() as cursor:
        actual = row_counts(cursor, list(expected), quote=connection.ops.quote_name)
    wrong = {t: (expected[t], actual.get(t)) for t in expected if expected[t] != actual.get(t)}
    if wrong:
        listed = ", ".join(
            f"{table}: {want} expected, {got} found"
            for table, (want, got) in list(wrong.items())[:10]
        )
        raise BackupError(f"The restored rows do not match the backup: {listed}")


def restore_files(backup: Backup, *, force: bool) -> int:
    from django.core.files import File
    from django.core.files.storage import storages

    for entry in backup.files:
        storage = storages[entry["storage"]]
        name = entry["name"]
        if force and storage.exists(name):
            storage.delete(name)
        with open(backup.file_path(entry), "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"{entry['storage']}:{name} was stored as {saved!r}")
    return len(backup.files)


def private_names() -> set[str]:
    """The private files the database names: certificate PDFs, fieldwork evidence."""
    from lms.certificates.models import Certificate
    from lms.fieldwork.models import FieldworkAttachment

    return {
        *Certificate.objects.exclude(pdf_file="").values_list("pdf_file", flat=True),
        *FieldworkAttachment.objects.values_list("file", flat=True),
        *FieldworkAttachment.objects.exclude(thumbnail="").values_list("thumbnail", flat=True),
    }


def missing_files(named: set[str]) -> list[str]:
    """Files the restored database names that are not in storage."""
    from django.core.files.storage import storages

    private = storages["private"]
    return sorted(name for name in named if not private.exists(name))


def restore(source: Path, *, force: bool = False, migrate: bool = True) -> dict:
    """Restore ``source`` (a backup folder or .tar); returns what was restored."""
    from django.core.management import call_command
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="rpa-restore-") as scratch:
        backup = open_backup(Path(source), Path(scratch))
        log(f"Checking {backup.folder.name}")
        backup.verify()
        check_migrations(backup, force=force)
        check_database_empty(connection, force=force)
        check_storages_free(backup, force=force)

        log(f"Restoring the database into {connection.settings_dict['NAME']}")
        restore_database(backup, connection, force=force)
        verify_counts(backup, connection)
        log(f"Restoring {len(backup.files)} files")
        restored = restore_files(backup, force=force)

    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from cms.signals import bump_tree_version

    bump_tree_version()
    named = private_names()
    missing = missing_files(named)
    if missing:
        raise BackupError(
            f"{len(missing)} files named by the database are missing from the backup: "
            + ", ".join(missing[:10])
        )
    summary = {
        "backup": backup.folder.name,
        "created_at": backup.manifest["created_at"],
        "tables": len(backup.database["counts"]),
        "rows": sum(backup.database["counts"].values()),
        "files": restored,
        # Private files no row names (left by a process killed between writing a file and
        # its row): harmless, listed for the operator to remove.
        "unreferenced": sorted(
            entry["name"]
            for entry in backup.files
            if entry["storage"] == "private" and entry["name"] not in named
        ),
    }
    log(
        f"Restored {summary['rows']} rows in {summary['tables']} tables and "
        f"{summary['files']} files from the backup of {summary['created_at']}"
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backup", type=Path, help="a backup folder or .tar from ops/backup.py")
    parser.add_argument(
        "--force",
        action="store_true",
        help="restore into a database or storage that is not empty (replacing what is there)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="do not run migrate afterwards")
    args = parser.parse_args(argv)
    setup_django()
    try:
        summary = restore(args.backup, force=args.force, migrate=not args.no_migrate)
    except BackupError as error:
        log(f"Restore failed: {error}")
        return 1
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Backups and restore (ops/backup.py, ops/restore.py, docs/backups.md).

A trainee with a password, lesson progress, a graded quiz attempt and an issued certificate
(its PDF in private storage), a fieldwork photo and an image in media storage: backed up,
then restored by the command line into a NEW empty database and empty storage folders, and
checked there by another process running the application against the restored copy: the
trainee logs in with the same password (and not with a wrong one), the progress and the
attempt are there, the public verification page shows the certificate and its PDF
downloads with the same bytes.

The PostgreSQL variant (pg_dump / pg_restore) runs in CI's PostgreSQL job; the SQLite
variant (the online backup API) in the default job.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.db import connection
from PIL import Image

from lms.assessments import services as quiz_services
from lms.certificates.models import Certificate
from lms.fieldwork import services as fieldwork_services
from ops import backup as ops_backup
from tests.certificates import factories as cf
from tests.factories import fieldwork as ff
from tests.factories.accounts import PASSWORD
from tests.factories.assessments import make_quiz
from tests.factories.courses import course_tree

PROJECT_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

# Runs in a separate process, against the restored database and storage.
CHECK = r"""
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from django.urls import reverse
from lms.accounts.models import User
from lms.assessments.models import Attempt
from lms.courses.models import LessonProgress

args = json.loads(sys.argv[1])
out = {}
client = Client()
client.post(reverse("account_login"), {"login": args["email"], "password": "not-the-password-1"})
out["wrong_password_logs_in"] = "_auth_user_id" in client.session
response = client.post(
    reverse("account_login"), {"login": args["email"], "password": args["password"]}
)
out["login_status"] = response.status_code
out["logged_in_as"] = client.session.get("_auth_user_id")
user = User.objects.get(email=args["email"])
out["user_id"] = str(user.pk)
out["lessons_done"] = LessonProgress.objects.filter(enrollment__user=user).count()
out["attempts"] = [
    [a.number, a.status, str(a.score)] for a in Attempt.objects.filter(user=user).order_by("number")
]
dashboard = client.get(reverse("courses:dashboard"))
out["dashboard_status"] = dashboard.status_code
out["dashboard_has_course"] = args["course_title"] in dashboard.content.decode()
verify = Client().get(reverse("certificates:verify", args=[args["code"]]))
out["verify_status"] = verify.status_code
page = verify.content.decode()
out["verify_shows"] = args["serial"] in page and args["name"] in page
pdf = client.get(reverse("certificates:pdf", args=[args["certificate_id"]]))
out["pdf_status"] = pdf.status_code
out["pdf_sha256"] = hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest()
print(json.dumps(out))
"""


@pytest.fixture
def source_storages(settings, tmp_path):
    roots = {"default": tmp_path / "src-media", "private": tmp_path / "src-private"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(roots["default"])},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(roots["private"]), "base_url": None},
        },
    }
    return roots


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (190, 30, 30)).save(out, "PNG")
    return out.getvalue()


def build_academy(site_tree) -> dict:
    """What a restore must bring back, committed (pg_dump sees only committed rows)."""
    from wagtail.images import get_image_model

    course = course_tree(
        site_tree, slug="backup", lessons=2, title="復元講座", total_hours=Decimal("3")
    )
    cf.templates()
    trainee = cf.trainee(email="restore@example.com")
    enrollment = cf.enrolled(course, trainee)
    quiz = make_quiz(course)
    attempt = quiz_services.attempt_start(quiz=quiz, user=trainee)
    attempt = quiz_services.answers_save(
        attempt=attempt, responses={"1": {"choice": "q1-1"}}, version=attempt.version
    )
    attempt = quiz_services.attempt_submit(attempt=attempt)
    draft = ff.entry(enrollment)
    fieldwork_services.attachment_add(
        entry=draft, actor=trainee, uploaded=ff.upload("tanada.jpg", ff.image_bytes())
    )
    get_image_model().objects.create(
        title="印影", file=ImageFile(io.BytesIO(png_bytes()), name="seal.png")
    )
    # A file no row names (as a process killed between the file and its row leaves).
    storages["private"].save("fieldwork/orphan.jpg", io.BytesIO(ff.image_bytes()))
    cf.complete_lessons(enrollment, course)  # completes the course: the certificate is issued
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    return {
        "email": trainee.email,
        "password": PASSWORD,
        "user_id": str(trainee.pk),
        "course_title": course.title,
        "attempt": [attempt.number, attempt.status, str(attempt.score)],
        "code": certificate.code,
        "serial": certificate.serial,
        "name": certificate.name,
        "certificate_id": certificate.pk,
        "pdf_sha256": certificate.pdf_sha256,
    }


def run_restored(args: list[str], *, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def restored_env(database_url: str, tmp_path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "dst-media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "dst-private"),
    }
    env.pop("REDIS_URL", None)
    return env


def backup_restore_and_check(site_tree, tmp_path, database_url: str, *, archive: bool):
    facts = build_academy(site_tree)
    path = ops_backup.backup(tmp_path / "backups", archive=archive)

    if archive:
        assert path.suffix == ".tar" and tarfile.is_tarfile(path)
        with tarfile.open(path) as tar:
            manifest = json.load(tar.extractfile(f"{path.stem}/manifest.json"))
    else:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["counts"]["certificates_certificate"] == 1
    assert manifest["database"]["counts"]["assessments_attempt"] == 1
    assert manifest["database"]["counts"]["courses_lessonprogress"] == 2
    assert "0001_initial" in manifest["database"]["migrations"]["certificates"]
    # The PDF, the photo, its thumbnail, the orphan.
    assert manifest["storages"]["private"]["files"] == 4
    assert manifest["storages"]["default"]["files"] >= 1  # the image (and its renditions)
    pdf_entry = next(f for f in manifest["files"] if f["name"].endswith(".pdf"))
    assert pdf_entry["sha256"] == facts["pdf_sha256"]

    env = restored_env(database_url, tmp_path)
    restored = run_restored(["ops/restore.py", str(path)], env=env)
    assert restored.returncode == 0, restored.stderr
    summary = json.loads(restored.stdout)
    assert summary["files"] == len(manifest["files"])
    assert summary["rows"] == sum(manifest["database"]["counts"].values())
    assert summary["unreferenced"] == ["fieldwork/orphan.jpg"]
    assert sorted(
        str(p.relative_to(tmp_path / "dst-private"))
        for p in (tmp_path / "dst-private").rglob("*")
        if p.is_file()
    ) == sorted(f["name"] for f in manifest["files"] if f["storage"] == "private")

    checked = run_restored(["-c", CHECK, json.dumps(facts)], env=env)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert result == {
        "wrong_password_logs_in": False,
        "login_status": 302,
        "logged_in_as": facts["user_id"],
        "user_id": facts["user_id"],
        "lessons_done": 2,
        "attempts": [facts["attempt"]],
        "dashboard_status": 200,
        "dashboard_has_course": True,
        "verify_status": 200,
        "verify_shows": True,
        "pdf_status": 200,
        "pdf_sha256": facts["pdf_sha256"],
    }

    # A second restore into the same, now full, database is refused and changes nothing;
    # with --force it replaces the database and the files, and the copy still checks out.
    again = run_restored(["ops/restore.py", str(path)], env=env)
    assert again.returncode == 1
    assert "is not empty" in again.stderr
    forced = run_restored(["ops/restore.py", str(path), "--force"], env=env)
    assert forced.returncode == 0, forced.stderr
    checked = run_restored(["-c", CHECK, json.dumps(facts)], env=env)
    assert json.loads(checked.stdout.strip().splitlines()[-1])["pdf_sha256"] == facts["pdf_sha256"]
    return manifest


@pytest.mark.postgres
def test_postgresql_backup_restores_into_an_empty_database(site_tree, source_storages, tmp_path):
    import psycopg

    target = f"test_backup_dst_{os.getpid()}"
    settings_dict = connection.settings_dict
    admin = psycopg.connect(
        **ops_backup_connection(settings_dict, dbname="postgres"), autocommit=True
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
    admin.execute(f'CREATE DATABASE "{target}"')
    try:
        user = settings_dict.get("USER") or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        url = f"postgres://{user}{password}@{host}:{port}/{target}"
        manifest = backup_restore_and_check(site_tree, tmp_path, url, archive=True)
        assert manifest["database"]["file"] == "database.pgdump"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def ops_backup_connection(settings_dict, *, dbname):
    values = {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict.get("USER") or "postgres",
        "dbname": dbname,
    }
    if settings_dict.get("PASSWORD"):
        values["password"] = settings_dict["PASSWORD"]
    return values


def test_sqlite_backup_restores_into_an_empty_database(site_tree, source_storages, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (the PostgreSQL one runs on PostgreSQL)")
    url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    manifest = backup_restore_and_check(site_tree, tmp_path, url, archive=False)
    assert manifest["database"]["file"] == "database.sqlite3"


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    site_tree, source_storages, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("the checks are the same on both databases; run once")
    storages["private"].save("certificates/2026/sample.pdf", io.BytesIO(b"%PDF-1.4 sample"))
    path = ops_backup.backup(tmp_path / "backups")
    (path / "files" / "private" / "certificates" / "2026" / "sample.pdf").write_bytes(b"%PDF-x")
    env = restored_env(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path)
    result = run_restored(["ops/restore.py", str(path)], env=env)
    assert result.returncode == 1
    assert "The backup is damaged (1 files)" in result.stderr
    assert "private:certificates/2026/sample.pdf" in result.stderr
    assert not (tmp_path / "restored.sqlite3").exists() or (
        (tmp_path / "restored.sqlite3").stat().st_size == 0
    )
    assert not (tmp_path / "dst-private").exists()


def test_old_backups_are_pruned_to_the_newest(site_tree, source_storages, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the same on both databases; run once")
    destination = tmp_path / "backups"
    made = [ops_backup.backup(destination, archive=index % 2 == 0) for index in range(3)]
    removed = ops_backup.prune(destination, keep=2)
    assert removed == [made[0]]
    assert sorted(p.name for p in destination.iterdir()) == sorted(p.name for p in made[1:])


def test_files_on_s3_are_backed_up_and_restored_through_the_storage_api(settings, tmp_path):
    """The same code with S3 buckets (moto standing in for S3): every file under its name,
    nested folders included, into a new, empty bucket."""
    import boto3
    from moto import mock_aws

    from ops import restore as ops_restore

    def s3_storages(bucket):
        options = {
            "bucket_name": bucket,
            "region_name": "ap-northeast-1",
            "access_key": "testing",
            "secret_key": "testing",
            "file_overwrite": False,
            "default_acl": None,
        }
        return {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**options, "location": "private", "default_acl": "private"},
            },
        }

    contents = {
        ("default", "original_images/seal.png"): png_bytes(),
        ("private", "certificates/2026/RPA-2026-000001-ab.pdf"): b"%PDF-1.7 certificate",
        ("private", "fieldwork/3/7/photo.jpg"): ff.image_bytes(),
    }
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-northeast-1")
        for bucket in ("academy-media", "academy-media-restored"):
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"},
            )
        settings.STORAGES = s3_storages("academy-media")
        for (alias, name), data in contents.items():
            assert storages[alias].save(name, io.BytesIO(data)) == name
        path = ops_backup.backup(tmp_path / "backups")
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        assert sorted((f["storage"], f["name"]) for f in manifest["files"]) == sorted(contents)
        assert manifest["storages"]["private"] == {
            "files": 2,
            "bytes": sum(len(d) for (a, _), d in contents.items() if a == "private"),
        }

        settings.STORAGES = s3_storages("academy-media-restored")
        backup = ops_restore.Backup(path)
        backup.verify()
        ops_restore.check_storages_free(backup, force=False)
        assert ops_restore.restore_files(backup, force=False) == 3
        for (alias, name), data in contents.items():
            with storages[alias].open(name, "rb") as handle:
                assert handle.read() == data
        keys = sorted(
            item["Key"] for item in s3.list_objects_v2(Bucket="academy-media-restored")["Contents"]
        )
        assert keys == sorted(
            f"private/{name}" if alias == "private" else name for alias, name in contents
        )
        with pytest.raises(ops_backup.BackupError, match="already exist in storage"):
            ops_restore.check_storages_free(backup, force=False)

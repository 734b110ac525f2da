"""The production settings as a scaled-out deployment needs them: shared state in Redis,
PostgreSQL and object storage, work on a task worker, HTTPS only, and the gunicorn
configuration and Procfile an operator starts it with (docs/operations.md).

Each test reads the settings in a fresh interpreter with the environment an operator
would set, as the app servers do.
"""

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent

REQUIRED = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-tests-0123456789abcdef",
    "ALLOWED_HOSTS": "academy.example.jp",
    "DATABASE_URL": "sqlite:///:memory:",
}
REDIS = {"REDIS_URL": "redis://redis.internal:6379/0"}
S3 = {
    "AWS_STORAGE_BUCKET_NAME": "academy-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.jp",
    "AWS_S3_REGION_NAME": "ap-northeast-1",
    "AWS_ACCESS_KEY_ID": "key-id",
    "AWS_SECRET_ACCESS_KEY": "secret",
}
# What ops.prodlocal sets to serve over plain HTTP on 127.0.0.1, and nothing else may.
PRODLOCAL_HTTP = {
    "SECURE_SSL_REDIRECT": "False",
    "SESSION_COOKIE_SECURE": "False",
    "CSRF_COOKIE_SECURE": "False",
    "SECURE_HSTS_SECONDS": "0",
}
NAMES = [
    "CACHES",
    "SESSION_ENGINE",
    "STORAGES",
    "TASKS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "DEMO_SEED_ALLOWED",
    "CONTENT_SECURITY_POLICY",
    "DATABASES",
    "STATIC_ROOT",
    "DEBUG",
]


def _environment(**variables) -> dict:
    # Nothing from the developer's shell that the settings read.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SECURE_", "DJANGO_", "GUNICORN_"))
        and k
        not in {
            "REDIS_URL",
            "DATABASE_URL",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "TASKS_BACKEND",
            "SESSION_ENGINE",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "DEMO_SEED_ALLOWED",
            "CSP_MEDIA_ORIGINS",
            "WEB_CONCURRENCY",
            "FORWARDED_ALLOW_IPS",
            "STATIC_ROOT",
        }
    }
    return {**keep, **REQUIRED, **variables}


def run(args, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=BASE_DIR,
        env=_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**variables) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}, default=str))"
    )
    result = run([sys.executable, "-c", code], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_cache_and_sessions_are_shared_through_redis():
    settings = production_settings(**REDIS)
    assert settings["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings["CACHES"]["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://redis.internal:6379/0"
    # No other cache alias, so nothing per process that would have to agree.
    assert list(settings["CACHES"]) == ["default"]
    # Sessions written to the database, read through Redis: a Redis restart logs no one out.
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_an_unreachable_redis_is_a_cache_miss_not_an_error():
    code = (
        "import time, django; django.setup(); from django.core.cache import cache; "
        "t = time.monotonic(); cache.set('k', 1); value = cache.get('k', 'miss'); "
        "print(value, round(time.monotonic() - t, 1))"
    )
    result = run([sys.executable, "-c", code], REDIS_URL="redis://127.0.0.1:9/0")
    assert result.returncode == 0, result.stderr
    value, seconds = result.stdout.split()
    assert value == "miss"
    assert float(seconds) < 3
    assert "Exception ignored" in result.stderr


def test_without_redis_sessions_stay_in_the_database_and_the_start_warns():
    settings = production_settings()
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    result = run([sys.executable, "-c", "from django.conf import settings; settings.CACHES"])
    assert "REDIS_URL is not set" in result.stderr


def test_background_work_goes_to_the_database_worker_by_default():
    settings = production_settings(**REDIS)
    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def test_media_and_private_files_go_to_object_storage():
    settings = production_settings(**REDIS, **S3)
    default = settings["STORAGES"]["default"]
    private = settings["STORAGES"]["private"]
    assert default["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == private["OPTIONS"]["bucket_name"] == "academy-media"
    assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.jp"
    assert default["OPTIONS"]["querystring_auth"] is True
    assert private["OPTIONS"]["location"] == "private"
    assert private["OPTIONS"]["default_acl"] == "private"
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    # Images are shown from the storage's host: the CSP allows exactly that host.
    img_src = settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://s3.example.jp" in img_src
    assert "https://academy-media.s3.example.jp" in img_src


def test_without_object_storage_images_come_only_from_this_host():
    settings = production_settings(**REDIS)
    assert settings["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    assert settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


def test_https_only_and_no_demo_seed_unless_told_otherwise():
    settings = production_settings(**REDIS)
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31536000
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["DEMO_SEED_ALLOWED"] is False
    assert settings["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


def test_the_plain_http_overrides_of_prod_local_fail_the_deploy_check():
    """The four variables prodlocal sets switch off exactly what check --deploy guards:
    a deployment that set them would not pass."""
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **REDIS,
        **PRODLOCAL_HTTP,
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_deploy_check_passes_with_redis_and_object_storage():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **REDIS,
        **S3,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_seed_demo_is_refused_unless_explicitly_allowed():
    result = run([sys.executable, "manage.py", "seed_demo"], **REDIS)
    assert result.returncode != 0
    assert "refuses to run with production settings" in result.stderr
    assert production_settings(**REDIS, DEMO_SEED_ALLOWED="true")["DEMO_SEED_ALLOWED"] is True


def test_files_really_go_through_s3(tmp_path):
    """django-storages against a local S3-compatible server (moto): media under the bucket's
    root with signed URLs, private files under private/ with a private ACL."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    from ops.prodlocal import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        s3 = {**S3, "AWS_S3_ENDPOINT_URL": endpoint, "AWS_S3_REGION_NAME": "us-east-1"}
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="key-id",
            aws_secret_access_key="secret",
        )
        client.create_bucket(Bucket="academy-media")
        code = (
            "import json; from django.core.files.base import ContentFile; "
            "from django.core.files.storage import storages; "
            "p = storages['private'].save('fieldwork/evidence.txt', ContentFile(b'private')); "
            "m = storages['default'].save('images/photo.txt', ContentFile(b'public')); "
            "print(json.dumps([p, m, storages['default'].url(m)]))"
        )
        script = f"import django; django.setup(); {code}"
        result = run([sys.executable, "-c", script], **REDIS, **s3)
        assert result.returncode == 0, result.stderr
        private_name, media_name, media_url = json.loads(result.stdout.splitlines()[-1])

        private = client.get_object(Bucket="academy-media", Key=f"private/{private_name}")
        assert private["Body"].read() == b"private"
        grants = client.get_object_acl(Bucket="academy-media", Key=f"private/{private_name}")
        assert [g["Permission"] for g in grants["Grants"]] == ["FULL_CONTROL"]
        assert grants["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"

        media = client.get_object(Bucket="academy-media", Key=media_name)
        assert media["Body"].read() == b"public"
        url = urlsplit(media_url)
        assert f"{url.scheme}://{url.netloc}" == endpoint
        assert "X-Amz-Signature" in parse_qs(url.query)
    finally:
        server.stop()


def test_gunicorn_configuration_reads_the_environment():
    conf = BASE_DIR / "ops" / "gunicorn.conf.py"
    variables = {
        "GUNICORN_BIND": "10.0.0.5:8000",
        "WEB_CONCURRENCY": "5",
        "FORWARDED_ALLOW_IPS": "10.0.0.2",
    }
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        values = runpy.run_path(str(conf))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert values["wsgi_app"] == "lms.wsgi:application"
    assert values["bind"] == "10.0.0.5:8000"
    assert values["workers"] == 5
    assert values["forwarded_allow_ips"] == "10.0.0.2"
    assert values["timeout"] == 30
    assert values["graceful_timeout"] == 30
    assert values["accesslog"] == "-"
    assert values["max_requests"] > 0 and values["max_requests_jitter"] > 0


def test_gunicorn_accepts_the_configuration_and_loads_the_app():
    result = run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "ops/gunicorn.conf.py",
            "--check-config",
            "--print-config",
        ],
        **REDIS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^wsgi_app\s*=\s*lms\.wsgi:application$", result.stdout, re.M)


def test_procfile_names_the_web_release_and_worker_processes():
    lines = dict(
        line.split(":", 1)
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert set(lines) == {"release", "web", "worker"}
    assert lines["web"].split() == ["gunicorn", "-c", "ops/gunicorn.conf.py"]
    assert "manage.py migrate --noinput" in lines["release"]
    worker = lines["worker"].split()
    assert worker[:3] == ["python", "manage.py", "task_worker"]
    assert "--no-reload" in worker
    # Every queue: the tasks do not name one today, and a new queue must not be forgotten.
    assert worker[worker.index("--queue-name") + 1] == "'*'"

"""Production: PostgreSQL, Redis, object storage, a task worker, HTTPS behind a proxy.

Secrets have no defaults here: a missing SECRET_KEY, ALLOWED_HOSTS or DATABASE_URL stops
the start. See docs/operations.md (and decision 0019 for why it is shaped this way).
"""

import warnings
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import AWS_STORAGE_BUCKET_NAME, CONTENT_SECURITY_POLICY, REDIS_URL, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if not REDIS_URL:
    # The cache would be per process: navigation (cms.signals' tree version) and allauth's
    # login limits would disagree between gunicorn workers and between app servers.
    warnings.warn(
        "REDIS_URL is not set: each process keeps its own cache. Set REDIS_URL for any "
        "deployment with more than one process (docs/operations.md).",
        stacklevel=1,
    )

STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

# Background work on a worker (manage.py task_worker), never in the request.
TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")},
}

# Behind a TLS-terminating proxy (nginx, a load balancer) that overwrites X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The number of proxies in front of the app servers that append to X-Forwarded-For, so
# allauth's rate limits count each trainee's own address, not the proxy's (one nginx or
# load balancer: 1). 0 when the app servers are reached directly: never trust the header then.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Only `make prod-local` (plain HTTP on 127.0.0.1) sets these four to False/0. A real
# deployment never sets them: HTTPS redirect, secure cookies and HSTS stay on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)

# Media on object storage are shown from the storage's own host (signed URLs): the
# Content-Security-Policy must allow images from there. CSP_MEDIA_ORIGINS overrides.
_media_origins = env.list("CSP_MEDIA_ORIGINS", default=[])
if not _media_origins and AWS_STORAGE_BUCKET_NAME:
    _endpoint = urlsplit(env("AWS_S3_ENDPOINT_URL", default="") or "https://s3.amazonaws.com")
    _media_origins = [
        f"{_endpoint.scheme}://{_endpoint.netloc}",
        f"{_endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint.netloc}",
    ]
    _region = env("AWS_S3_REGION_NAME", default="")
    if not env("AWS_S3_ENDPOINT_URL", default="") and _region:
        _media_origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_region}.amazonaws.com")
if _media_origins:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [
        *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
        *_media_origins,
    ]

# Demo accounts have a published password: production settings refuse `seed_demo`.
# `make prod-local` sets DEMO_SEED_ALLOWED=true for that one command only; never set it
# on a real deployment.
DEMO_SEED_ALLOWED = env.bool("DEMO_SEED_ALLOWED", default=False)

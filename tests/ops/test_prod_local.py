"""The production-like stack (ops.prodlocal): gunicorn with the production settings on
PostgreSQL, Redis and S3-compatible storage, plus the task worker.

Slow (it starts real servers), so it runs only when selected: ``pytest -m prodlocal
tests/ops/test_prod_local.py``; CI runs it in a step of its own. Needs PostgreSQL and Redis
on 127.0.0.1 (every machine of this project has them).
"""

import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.prodlocal

DATABASE = "rpa_prodlocal_tests"
DEMO_PASSWORD = "demo-pass-2026"


def _selected(config) -> bool:
    return "prodlocal" in (config.option.markexpr or "")


@pytest.fixture(scope="module")
def stack(request):
    if not _selected(request.config):
        pytest.skip("starts the production-like stack: run with -m prodlocal")
    from ops.prodlocal import ProdLocal, free_port

    with ProdLocal(port=free_port(), gunicorn_workers=2, worker=True, database=DATABASE) as running:
        yield running


def _logged_in_client(stack, base_url, email):
    from ops.prove_pipeline import Client

    client = Client(base_url)
    client.login(email, DEMO_PASSWORD)
    return client


def test_certificate_is_rendered_by_the_worker_not_in_the_request(stack):
    from ops.prove_pipeline import prove

    figures = prove(stack, log=lambda message: None)
    assert figures["pending_after_response"] is True
    assert figures["render_task"]["worker_ids"] == [stack.worker_id]
    assert figures["pdf_key"].startswith("private/certificates/")
    assert figures["photo_key"].startswith("private/fieldwork/")
    assert figures["pdf_bytes"] > 10_000


def test_a_session_from_one_app_server_is_accepted_by_another(stack):
    """Two app servers (two gunicorns on different ports, as on two machines) share the
    database and Redis: log in on one, be logged in on the other, log out everywhere."""
    from ops.prodlocal import free_port

    second = stack.start_app_server(port=free_port(), workers=1)
    client = _logged_in_client(stack, stack.base_url, "trainee@example.com")
    client.base_url = second
    page = client.get("/learn/mypage/", allow_redirects=False)
    assert page.status_code == 200
    assert "𠮷田" in page.text

    # The session is written to the database too: Redis losing everything (a restart, it
    # keeps nothing on disk here) logs no one out.
    import redis

    redis.Redis.from_url(stack.redis_url).flushdb()
    page = client.get("/learn/mypage/", allow_redirects=False)
    assert page.status_code == 200

    # Logging out on the second ends the session on the first.
    response = client.post("/accounts/logout/", {}, allow_redirects=False)
    assert response.status_code == 302
    client.base_url = stack.base_url
    page = client.get("/learn/mypage/", allow_redirects=False)
    assert page.status_code == 302
    assert "/accounts/login/" in page.headers["Location"]


def test_an_app_server_that_cannot_reach_redis_keeps_serving(stack):
    """Redis unreachable (a closed port): the cache misses, sessions come from the
    database, pages work for visitors and for people already logged in. New logins are
    refused (429) until Redis is back: allauth's rate limiter cannot take its lock and
    fails closed (decision 0019)."""
    from ops.prodlocal import free_port
    from ops.prove_pipeline import Client

    closed = free_port()
    url = stack.start_app_server(
        port=free_port(), workers=1, env={"REDIS_URL": f"redis://127.0.0.1:{closed}/0"}
    )
    visitor = Client(url)
    for path in ("/", "/courses/", "/library/"):
        assert visitor.get(path).status_code == 200, path

    client = _logged_in_client(stack, stack.base_url, "trainee2@example.com")
    client.base_url = url
    page = client.get("/learn/mypage/", allow_redirects=False)
    assert page.status_code == 200
    assert "井上" in page.text

    visitor.get("/accounts/login/")
    response = visitor.post(
        "/accounts/login/",
        {"login": "trainee3@example.com", "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 429
    assert "Exception ignored" in stack.log(f"gunicorn-{url.rsplit(':', 1)[1]}")


def test_every_process_runs_the_production_settings_over_object_storage(stack):
    result = stack.manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.TASKS['default']['BACKEND'], "
        "settings.STORAGES['default']['BACKEND'], settings.SESSION_ENGINE)",
    )
    assert result.stdout.splitlines()[-1].split() == [
        "lms.settings.production",
        "False",
        "django_tasks_db.DatabaseBackend",
        "storages.backends.s3.S3Storage",
        "django.contrib.sessions.backends.cached_db",
    ]
    # The demo's documents and the graduate's certificate are in the bucket, not on disk.
    from ops.prodlocal import BUCKET

    keys = [
        obj["Key"] for obj in stack.s3_client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
    ]
    assert any(key.startswith("documents/") for key in keys)
    assert any(key.startswith("private/certificates/") for key in keys)
    # Static files: WhiteNoise serves the hashed names from the release.
    from ops.prove_pipeline import Client

    home = Client(stack.base_url).get("/")
    assert home.status_code == 200
    css = [part.split('"')[0] for part in home.text.split('href="/static/')[1:]]
    hashed = next(name for name in css if name.startswith("css/site."))
    asset = Client(stack.base_url).get(f"/static/{hashed}")
    assert asset.status_code == 200
    assert "max-age=315360000" in asset.headers["Cache-Control"]


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def test_stop_ends_every_process_gracefully(request):
    if not _selected(request.config):
        pytest.skip("starts the production-like stack: run with -m prodlocal")
    from ops.prodlocal import ProdLocal, free_port

    stack = ProdLocal(port=free_port(), gunicorn_workers=2, worker=True, database=DATABASE + "_2")
    stack.start()
    groups = dict(stack.pids)
    assert set(groups) == {"s3", "gunicorn", "worker"}
    assert all(_group_alive(pgid) for pgid in groups.values())
    started = time.monotonic()
    stack.stop()
    assert time.monotonic() - started < 25
    assert {name: _group_alive(pgid) for name, pgid in groups.items()} == {
        name: [] for name in groups
    }
    assert stack.pids == {}
    # gunicorn and the worker shut down on SIGTERM (graceful), not on the SIGKILL after it.
    assert "Shutting down: Master" in stack.log("gunicorn")
    assert "Received Terminated - shutting down gracefully" in stack.log("worker")
    for pgid in groups.values():
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)

"""Prove, against the production-like stack, that a certificate is rendered by the task
worker and not in the request that completed the course.

    python -m ops.prove_pipeline            # starts its own stack (ops.prodlocal), then proves
    make prove-pipeline                     # the same

Walks the pipeline over HTTP as a trainee: log in → enroll → fieldwork entry with a photo
(object storage) → the instructor approves it in the admin → lesson complete →
quiz submitted and passed, which completes the course. While that last request runs the
worker is paused (SIGSTOP on its process group), so the proof does not depend on who is
faster. Then it shows:

1. the completing response came back with the certificate *pending* (the trainee's
   dashboard says so, the database too) and its render task queued, not started;
2. once the worker runs again, the task result is SUCCESSFUL with the worker's id, it
   started after the completing response had returned, the certificate is *issued*;
3. the PDF is in object storage (``private/`` prefix of the bucket), and the trainee
   downloads it through the app (the name is in its text);
4. no process of the gunicorn app server ever ran the PDF engine; the worker's did.

``prove(stack)`` returns the figures; any failed check raises ``PipelineProofError``.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import requests

from ops.prodlocal import BUCKET, ProdLocal, free_port

RENDER_TASK = "lms.certificates.tasks.render_certificate"
DEMO_PASSWORD = "demo-pass-2026"  # the demo instructor's (lms.demo.content)
PDF_ENGINE = "lms.certificates.pdf_engine"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# A tiny valid JPEG (8x8, grey) for the fieldwork photo.
_PHOTO_SIZE = (16, 16)


class PipelineProofError(AssertionError):
    """A step of the pipeline or a check of the proof failed."""


def _check(condition, message: str) -> None:
    if not condition:
        raise PipelineProofError(message)


def _csrf(session: requests.Session, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    _check(match, "no CSRF token in the form")
    return match.group(1)


def _photo() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", _PHOTO_SIZE, (120, 160, 90)).save(out, "JPEG")
    return out.getvalue()


class Client:
    """A browser-like HTTP client of one app server: cookies, CSRF tokens, Referer."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=60, **kwargs)

    def post(self, path: str, data: dict | list, *, form_path: str | None = None, **kwargs):
        """POST like a form of ``form_path`` (default: the same path) would."""
        token = self.session.cookies.get("csrftoken")
        if token is None:
            self.get(form_path or path)
            token = self.session.cookies.get("csrftoken")
        if isinstance(data, dict):
            data = list(data.items())
        data = [*data, ("csrfmiddlewaretoken", token)]
        headers = {"Referer": self.base_url + (form_path or path)}
        return self.session.post(
            self.base_url + path, data=data, headers=headers, timeout=60, **kwargs
        )

    def login(self, email: str, password: str) -> None:
        self.get("/accounts/login/")
        response = self.post(
            "/accounts/login/", {"login": email, "password": password}, allow_redirects=False
        )
        _check(
            response.status_code == 302 and "sessionid" in self.session.cookies,
            f"login as {email} failed ({response.status_code})",
        )


def _manage_json(stack: ProdLocal, code: str, prefix: str):
    result = stack.manage("shell", "-c", code)
    for line in result.stdout.splitlines():
        if line.startswith(prefix + " "):
            return json.loads(line[len(prefix) + 1 :])
    raise PipelineProofError(f"no {prefix} line from the shell:\n{result.stdout}{result.stderr}")


def _query(stack: ProdLocal, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(sql, params).fetchall()


def _certificate(stack: ProdLocal, email: str, course_id: int):
    rows = _query(
        stack,
        """
        SELECT c.id, c.status, c.pdf_file, c.issued_at
        FROM certificates_certificate c
        JOIN courses_enrollment e ON e.id = c.enrollment_id
        JOIN accounts_user u ON u.id = e.user_id
        WHERE u.email = %s AND e.course_id = %s
        ORDER BY c.id
        """,
        (email, course_id),
    )
    return rows[-1] if rows else None


def _render_task(stack: ProdLocal, certificate_id: int):
    rows = _query(
        stack,
        """
        SELECT status, worker_ids, enqueued_at, started_at, finished_at, return_value
        FROM django_tasks_database_dbtaskresult
        WHERE task_path = %s AND (args_kwargs -> 'kwargs' ->> 'certificate_id')::int = %s
        ORDER BY enqueued_at
        """,
        (RENDER_TASK, certificate_id),
    )
    _check(len(rows) == 1, f"expected one render task for the certificate, found {len(rows)}")
    keys = ("status", "worker_ids", "enqueued_at", "started_at", "finished_at", "return_value")
    return dict(zip(keys, rows[0], strict=True))


def _group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live process in the process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The command name may hold spaces: the fields after ") " are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            members.append((int(entry.name), cmdline.strip()))
    return members


def _maps_mention(pid: int, needle: str) -> bool:
    try:
        return needle in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def prove(stack: ProdLocal, *, log=print) -> dict:
    """Walk the pipeline against ``stack`` (started with worker=True and the demo content)."""
    _check("worker" in stack.pids, "the stack has no task worker")
    password = "pipeline-" + secrets.token_urlsafe(12)
    fixture = _manage_json(
        stack, f"from ops.pipeline_fixture import main_setup; main_setup({password!r})", "PIPELINE"
    )
    log(f"course {fixture['course_url']} (id {fixture['course_id']}), {fixture['trainee_email']}")
    figures: dict = {"course_id": fixture["course_id"], "trainee": fixture["trainee_email"]}

    trainee = Client(stack.base_url)
    trainee.login(fixture["trainee_email"], password)

    # Enroll (the open course: active at once).
    course_url = fixture["course_url"]
    response = trainee.post(
        f"/learn/courses/{fixture['course_id']}/enroll/", {}, form_path=course_url
    )
    _check(response.status_code == 200, f"enroll: {response.status_code}")

    # A fieldwork entry with a photo, submitted for review.
    new_entry = f"/fieldwork/courses/{fixture['course_id']}/new/"
    page = trainee.get(new_entry)
    _check(page.status_code == 200, f"fieldwork form: {page.status_code}")
    today = datetime.datetime.now(TOKYO).date().isoformat()
    entry_fields = {
        "date": today,
        "hours": "1.5",
        "prefecture": "nagano",
        "municipality": "上田市",
        "site": "上田市社会福祉協議会",
        "category": str(fixture["category_id"]),
        "activity": "地区の住民に聞き取りを行った。",
        "learned": "移動手段の不安が大きいことを知った。",
        "next_steps": "",
        "action": "save",
    }
    response = trainee.post(new_entry, entry_fields, allow_redirects=False)
    _check(response.status_code == 302, f"fieldwork draft: {response.status_code}")
    entry_id = int(re.search(r"/entries/(\d+)/", response.headers["Location"]).group(1))
    upload = trainee.session.post(
        f"{stack.base_url}/fieldwork/entries/{entry_id}/attachments/",
        data={"csrfmiddlewaretoken": trainee.session.cookies["csrftoken"]},
        files={"file": ("hearing.jpg", _photo(), "image/jpeg")},
        headers={"Referer": f"{stack.base_url}/fieldwork/entries/{entry_id}/edit/"},
        timeout=60,
        allow_redirects=False,
    )
    _check(upload.status_code in (200, 302), f"photo upload: {upload.status_code}")
    response = trainee.post(
        f"/fieldwork/entries/{entry_id}/edit/",
        {**entry_fields, "action": "submit"},
        allow_redirects=False,
    )
    _check(response.status_code == 302, f"fieldwork submit: {response.status_code}")
    attachments = _query(
        stack,
        "SELECT file FROM fieldwork_fieldworkattachment WHERE entry_id = %s",
        (entry_id,),
    )
    _check(len(attachments) == 1, "the photo was not stored")
    photo_key = f"private/{attachments[0][0]}"
    stack.s3_client().head_object(Bucket=BUCKET, Key=photo_key)
    figures["photo_key"] = photo_key

    # The course's instructor approves it in the admin's review form.
    instructor = Client(stack.base_url)
    instructor.login(fixture["instructor_email"], DEMO_PASSWORD)
    review = f"/admin/fieldwork/review/{entry_id}/"
    _check(instructor.get(review).status_code == 200, "the instructor cannot open the review")
    decision = {"decision": "approve", "comment": ""}
    response = instructor.post(review, decision, allow_redirects=False)
    _check(response.status_code == 302, f"approval: {response.status_code}")
    status = _query(stack, "SELECT status FROM fieldwork_fieldworkentry WHERE id = %s", (entry_id,))
    _check(status == [("approved",)], f"the entry is {status}, not approved")

    # The lesson.
    response = trainee.post(
        f"/learn/lessons/{fixture['lesson_id']}/complete/", {}, allow_redirects=False
    )
    _check(response.status_code == 302, f"lesson complete: {response.status_code}")

    # The quiz, answered; the worker is paused before the submission completes the course.
    response = trainee.post(
        f"/quizzes/{fixture['quiz_id']}/start/",
        {},
        form_path=f"/quizzes/{fixture['quiz_id']}/",
        allow_redirects=False,
    )
    _check(response.status_code == 302, f"quiz start: {response.status_code}")
    attempt_path = response.headers["Location"]
    page = trainee.get(attempt_path).text
    version = re.search(r'name="version" value="(\d+)"', page)
    _check(version and 'name="q1-choice"' in page, "the attempt page has no question form")
    _check('value="true"' in page, "the true/false question has no 'true' choice")
    response = trainee.post(
        attempt_path,
        {"positions": "1", "version": version.group(1), "q1-choice": "true", "action": "finish"},
        allow_redirects=False,
    )
    _check(response.status_code == 302, f"quiz answers: {response.status_code}")
    finish_path = response.headers["Location"]

    worker_group = stack.pids["worker"]
    os.killpg(worker_group, signal.SIGSTOP)
    try:
        sent = time.time()
        response = trainee.post(finish_path, {}, allow_redirects=False)
        returned = time.time()
        _check(response.status_code == 302, f"quiz submit: {response.status_code}")
        figures["completing_request_seconds"] = round(returned - sent, 3)

        certificate = _certificate(stack, fixture["trainee_email"], fixture["course_id"])
        _check(certificate is not None, "the completing request created no certificate")
        certificate_id, status, pdf_file, _issued = certificate
        _check(status == "pending", f"certificate after the request: {status}, not pending")
        _check(not pdf_file, "a PDF was stored before the worker ran")
        task = _render_task(stack, certificate_id)
        _check(
            task["status"] == "READY" and not task["worker_ids"],
            f"the render task was touched before the worker ran: {task}",
        )
        dashboard = trainee.get("/learn/mypage/")
        _check(dashboard.status_code == 200, f"dashboard: {dashboard.status_code}")
        _check("修了証" in dashboard.text, "the dashboard does not mention the certificate")
        figures["pending_after_response"] = True
    finally:
        os.killpg(worker_group, signal.SIGCONT)
    resumed = time.time()

    deadline = time.monotonic() + 120
    while True:
        _cid, status, pdf_file, issued_at = _certificate(
            stack, fixture["trainee_email"], fixture["course_id"]
        )
        if status != "pending":
            break
        _check(time.monotonic() < deadline, "the worker did not render the certificate in time")
        time.sleep(0.25)
    _check(status == "issued", f"certificate ended {status}")
    task = _render_task(stack, certificate_id)
    _check(task["status"] == "SUCCESSFUL", f"render task: {task['status']}")
    _check(task["worker_ids"] == [stack.worker_id], f"worker ids {task['worker_ids']}")
    _check(task["return_value"] == "issued", f"task returned {task['return_value']!r}")
    _check(
        task["started_at"].timestamp() >= returned,
        "the render task started before the completing response had returned",
    )
    figures["render_task"] = {
        "worker_ids": task["worker_ids"],
        "queued_to_started_seconds": round(
            (task["started_at"] - task["enqueued_at"]).total_seconds(), 3
        ),
        "render_seconds": round((task["finished_at"] - task["started_at"]).total_seconds(), 3),
        "resume_to_issued_seconds": round(issued_at.timestamp() - resumed, 3),
    }

    # The PDF: in object storage, and downloadable by its owner through the app.
    key = f"private/{pdf_file}"
    obj = stack.s3_client().get_object(Bucket=BUCKET, Key=key)
    stored = obj["Body"].read()
    _check(stored.startswith(b"%PDF-"), f"{key} is not a PDF")
    download = trainee.get(f"/certificates/{certificate_id}/pdf/")
    _check(download.status_code == 200, f"PDF download: {download.status_code}")
    _check(download.content == stored, "the downloaded PDF differs from the stored one")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=stored, capture_output=True, check=True
    ).stdout.decode()
    _check(
        fixture["trainee_name"].replace(" ", "") in text.replace(" ", ""),
        "the trainee's name is not in the PDF",
    )
    figures["pdf_key"] = key
    figures["pdf_bytes"] = len(stored)

    # Who ran the PDF engine: the worker's process group, never the app server's.
    web = _group_members(stack.pids["gunicorn"])
    worker = _group_members(worker_group)
    _check(len(web) >= 2, f"gunicorn's process group looks wrong: {web}")
    _check(
        not any(PDF_ENGINE in cmd for _pid, cmd in web),
        "a gunicorn process started the PDF engine",
    )
    _check(
        not any(_maps_mention(pid, "libpango") for pid, _cmd in web),
        "a gunicorn process loaded Pango (WeasyPrint)",
    )
    _check(any(PDF_ENGINE in cmd for _pid, cmd in worker), "the worker has no PDF engine child")
    figures["web_processes"] = len(web)
    figures["worker_processes"] = len(worker)
    return figures


def main(argv: list[str] | None = None) -> int:
    print("Starting the production-like stack (this takes about a minute)...")
    with ProdLocal(
        port=free_port(), gunicorn_workers=2, worker=True, database="rpa_prove_pipeline"
    ) as stack:
        print(f"Stack at {stack.base_url} (start-up seconds: {stack.timings}); walking...")
        try:
            figures = prove(stack)
        except PipelineProofError as exc:
            print(f"FAILED: {exc}")
            return 1
    print("The certificate was rendered by the worker, after the request returned:")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The trainee's own data as a ZIP: who may have it, what is in it, what it costs."""

import io
import json
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.privacy import services
from tests.factories.accounts import TraineeFactory

from .conftest import PDF, add_entry, make_certificate

pytestmark = pytest.mark.django_db

EXPORT_URL = "/privacy/export/"


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _json(archive, name):
    return json.loads(archive.read(name).decode("utf-8"))


def test_anonymous_is_sent_to_login(client):
    for method in (client.get, client.post):
        response = method(EXPORT_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_get_shows_the_panel_with_the_download_button(client, world):
    client.force_login(world.trainee)
    response = client.get("/en" + EXPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your data" in html
    assert "Download my data (ZIP)" in html
    assert 'action="/en/privacy/export/"' in html
    assert 'method="post"' in html


def test_export_is_a_zip_of_the_signed_in_trainee_own_data(client, world, other_trainee):
    client.force_login(world.trainee)
    response = client.post(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert "attachment;" in response["Content-Disposition"]
    archive = _zip(response)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "profile.json",
        "enrollments.json",
        "quiz_attempts.json",
        "fieldwork.json",
        "certificates.json",
    } <= names

    readme = archive.read("README.txt").decode()
    assert "あなたのデータ" in readme and "your data" in readme

    profile = _json(archive, "profile.json")
    assert profile["email"] == "takahashi@example.jp"
    assert (profile["last_name"], profile["first_name"]) == ("髙橋", "𠮷子")
    assert profile["first_name_kana"] == "よしこ"
    assert profile["email_addresses"] == [
        {"email": "takahashi@example.jp", "verified": True, "primary": True}
    ]
    assert "password" not in profile

    enrollments = {e["course"]: e for e in _json(archive, "enrollments.json")}
    assert enrollments["地域プロデューサー基礎"]["status"] == "active"
    assert enrollments["地域プロデューサー基礎"]["status_label"] == "受講中"
    assert [p["lesson"] for p in enrollments["地域プロデューサー基礎"]["completed_lessons"]] == [
        "レッスン1"
    ]
    assert enrollments["応用講座"]["status"] == "completed"

    fieldwork = _json(archive, "fieldwork.json")
    assert len(fieldwork) == 1
    entry = fieldwork[0]
    assert entry["activity"] == "地区の住民10名に聞き取りを行った。"
    assert entry["supervisor_email"] == "sato@host.example.jp"
    assert entry["history"][0]["comment"] == "よく頑張っていました（佐藤）"
    photo = entry["attachments"][0]
    assert photo["name"] == "ヒアリングの様子.jpg"
    with storages["private"].open(world.attachment.file, "rb") as handle:
        assert archive.read(photo["file"]) == handle.read()

    certificates = {c["serial"]: c for c in _json(archive, "certificates.json")}
    issued = certificates[world.certificate.serial]
    assert issued["status"] == "issued"
    assert issued["verify_url"] == (
        f"http://testserver/certificates/verify/{world.certificate.code}/"
    )
    assert archive.read(issued["pdf"]) == PDF
    assert certificates[world.revoked.serial]["status"] == "revoked"

    # Nothing of the other trainee.
    everything = b"".join(archive.read(name) for name in names).decode("utf-8", "ignore")
    assert "other@example.jp" not in everything
    assert "鈴木" not in everything


def test_answer_keys_stay_hidden_until_the_quiz_allows_review(client, world):
    client.force_login(world.trainee)
    attempts = _json(_zip(client.post(EXPORT_URL)), "quiz_attempts.json")
    attempt = attempts[0]
    assert attempt["review_available"] is False
    single, essay = attempt["answers"]
    assert single["response"] == {"choice": "q1-2"}
    assert essay["response"]["text"].startswith("上田市の空き家")
    assert all("correct" not in choice for choice in single["question"]["choices"])
    assert "score" not in single and "rubric" not in essay["question"]

    world.quiz.review_policy = "immediately"
    world.quiz.save()
    attempts = _json(_zip(client.post(EXPORT_URL)), "quiz_attempts.json")
    single = attempts[0]["answers"][0]
    assert attempts[0]["review_available"] is True
    assert [c["correct"] for c in single["question"]["choices"]] == [True, False, False]
    assert single["score"] == "0.00"


def test_export_is_logged_without_the_data(client, world):
    client.force_login(world.trainee)
    client.post(EXPORT_URL)
    entry = ModelLogEntry.objects.get(action=services.LOG_EXPORT)
    assert entry.user_id == world.trainee.pk
    assert entry.object_id == str(world.trainee.pk)


def test_a_missing_file_is_listed_not_fatal(client, world):
    storages["private"].delete(world.attachment.file)
    client.force_login(world.trainee)
    archive = _zip(client.post(EXPORT_URL))
    assert archive.read("missing_files.txt").decode().startswith("fieldwork/")


def test_a_trainee_without_records_gets_an_empty_export(client, site_tree):
    trainee = TraineeFactory()
    client.force_login(trainee)
    archive = _zip(client.post(EXPORT_URL))
    assert _json(archive, "enrollments.json") == []
    assert _json(archive, "fieldwork.json") == []


@pytest.mark.parametrize("extra", [0, 6])
def test_export_queries_do_not_grow_with_records(client, world, extra, django_assert_num_queries):
    for n in range(extra):
        add_entry(world.enrollment, world.trainee, days_ago=n + 2)
    make_certificate(world.enrollment, sequence=50, status="pending")
    client.force_login(world.trainee)
    ContentType.objects.get_for_model(world.trainee)  # cached for the process in real life
    # Session and user (2); e-mail addresses, partner organisations, enrollments with their
    # events and lesson progress, attempts with their answers, fieldwork entries with their
    # events and attachments, certificates (11); the log entry: two existence checks of
    # Wagtail's log and the insert (3).
    with django_assert_num_queries(16):
        response = client.post(EXPORT_URL)
        b"".join(response.streaming_content)

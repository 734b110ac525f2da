"""The supervisor's one-time link: works once; reused, expired, replaced or altered links are
refused with a clear page in Japanese; the page shows the entry and nothing else."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from lms.fieldwork import services
from lms.fieldwork.models import FieldworkEntry, FieldworkEvent, SupervisorToken
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/fieldwork/confirm/[^\s/]+/)")


@pytest.fixture
def sent(site_tree, django_capture_on_commit_callbacks):
    """A submitted entry, and the path of the link the supervisor received."""
    enrollment = enrolled(course_tree(site_tree, slug="fw"))
    entry(enrollment, status="approved", days_ago=5, activity="別の日の活動（見せない）")
    draft = entry(
        enrollment,
        supervisor_name="佐藤 一郎",
        supervisor_email="sato@example.jp",
        supervisor_role="事務局長",
        learned="個人的な振り返り（見せない）",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, actor=enrollment.user)
    message = mail.outbox[-1]
    assert message.to == ["sato@example.jp"]
    assert "佐藤 一郎 様" in message.body
    return draft, LINK.search(message.body).group(1)


def test_only_a_hash_of_the_token_is_stored(sent):
    draft, path = sent
    raw = path.rstrip("/").rsplit("/", 1)[1]
    token = SupervisorToken.objects.get(entry=draft)
    assert len(raw) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert token.expires_at - token.created_at == datetime.timedelta(days=14)


def test_the_page_shows_the_entry_and_nothing_else_of_the_trainee(client, sent):
    draft, path = sent
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert draft.activity in html and "上田市社会福祉協議会" in html
    assert "個人的な振り返り" not in html
    assert "別の日の活動" not in html
    assert draft.enrollment.user.email not in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    # Opening the link uses nothing up.
    assert SupervisorToken.objects.get(entry=draft).used_at is None


def test_confirm_works_once_and_locks_the_entry(client, sent):
    draft, path = sent
    response = client.post(path, {"decision": "confirm", "comment": ""})
    assert response.status_code == 200
    assert "確認を受け付けました" in response.content.decode()
    draft.refresh_from_db()
    assert draft.supervisor_status == FieldworkEntry.SupervisorStatus.CONFIRMED
    assert not draft.is_editable
    event = FieldworkEvent.objects.filter(entry=draft, kind="supervisor").last()
    assert (event.to_status, event.actor, event.actor_label) == (
        "confirmed",
        None,
        "受入先担当者 佐藤 一郎",
    )
    for again in (client.post(path, {"decision": "dispute", "comment": "違う"}), client.get(path)):
        assert again.status_code == 410
        assert "このリンクはすでに使われています" in again.content.decode()
    draft.refresh_from_db()
    assert draft.supervisor_status == "confirmed"


def test_dispute_needs_a_comment(client, sent):
    draft, path = sent
    response = client.post(path, {"decision": "dispute", "comment": "  "})
    assert response.status_code == 400
    assert "どこが違うかを書いてください" in response.content.decode()
    assert SupervisorToken.objects.get(entry=draft).used_at is None
    response = client.post(path, {"decision": "dispute", "comment": "時間は2時間でした"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.supervisor_status, draft.supervisor_comment) == ("disputed", "時間は2時間でした")


def test_an_expired_link_is_refused(client, sent):
    draft, path = sent
    SupervisorToken.objects.filter(entry=draft).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    for response in (client.get(path), client.post(path, {"decision": "confirm"})):
        assert response.status_code == 410
        assert "有効期限が切れています" in response.content.decode()
    draft.refresh_from_db()
    assert draft.supervisor_status == "pending"


@pytest.mark.parametrize("alter", ["flip", "truncate", "garbage"])
def test_an_altered_link_is_refused_with_a_clear_page(client, sent, alter):
    draft, path = sent
    raw = path.rstrip("/").rsplit("/", 1)[1]
    altered = {
        "flip": raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        "truncate": raw[:20],
        "garbage": "<script>alert(1)</script>",
    }[alter]
    response = client.get(f"/fieldwork/confirm/{altered}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "このリンクは無効です" in html and "<h1>" in html
    assert "<script>alert(1)" not in html
    response = client.post(f"/fieldwork/confirm/{altered}/", {"decision": "confirm"})
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.supervisor_status == "pending"


def test_a_replaced_link_is_refused(client, sent, django_capture_on_commit_callbacks):
    draft, old_path = sent
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.supervisor_link_send(entry=draft)
    new_path = LINK.search(mail.outbox[-1].body).group(1)
    response = client.get(old_path)
    assert response.status_code == 410
    assert "新しいリンクに置き換えられました" in response.content.decode()
    assert client.get(new_path).status_code == 200

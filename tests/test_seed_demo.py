import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page, Revision

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "pages": sorted(Page.objects.values_list("pk", "title", "locale__language_code")),
        "revisions": Revision.objects.count(),
        "users": sorted(get_user_model().objects.values_list("email", "last_name", "password")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
    }


def test_seed_demo_creates_the_tree_and_accounts_and_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo-pass-2026" in out
    first = snapshot()
    assert {
        "admin@example.com",
        "instructor@example.com",
        "trainee@example.com",
        "partner@example.com",
    } <= {email for email, *_ in first["users"]}
    assert {"Trainees", "Instructors", "Partners"} <= set(first["groups"])
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_refuses_to_run_with_production_settings():
    with override_settings(DEMO_SEED_ALLOWED=False), pytest.raises(CommandError) as exc:
        call_command("seed_demo")
    assert "production" in str(exc.value)
    assert not get_user_model().objects.filter(email="admin@example.com").exists()


def test_demo_accounts_can_log_in(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "trainee@example.com", "password": "demo-pass-2026"}
    )
    assert response.status_code == 302

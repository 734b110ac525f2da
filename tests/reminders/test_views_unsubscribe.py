"""The unsubscribe link (no login, a confirming POST) and the switch on the profile page."""

import pytest
from django.core import signing
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import ModelLogEntry

from lms.reminders import services
from lms.reminders.tokens import unsubscribe_token
from tests.factories.accounts import TraineeFactory

pytestmark = pytest.mark.django_db


def ja(message):
    with translation.override("ja"):
        return gettext(message)


def url(token):
    return f"/reminders/unsubscribe/{token}/"


def reload(user):
    user.refresh_from_db()
    return user


def test_following_the_link_asks_first_and_changes_nothing(client, site_tree):
    trainee = TraineeFactory(email="hanako@example.com")

    response = client.get(url(unsubscribe_token(trainee)))

    assert response.status_code == 200
    body = response.content.decode()
    assert "h***@example.com" in body and "hanako@example.com" not in body
    assert '<form method="post">' in body and ja("Stop reminder e-mails") in body
    assert reload(trainee).reminder_emails is True


def test_confirming_turns_reminders_off_and_is_logged(client, site_tree):
    trainee = TraineeFactory()

    response = client.post(url(unsubscribe_token(trainee)))

    assert response.status_code == 200
    assert ja("Reminder e-mails stopped") in response.content.decode()
    assert reload(trainee).reminder_emails is False
    entry = ModelLogEntry.objects.get(action=services.LOG_OPT_OUT)
    assert entry.object_id == str(trainee.pk)
    # Twice is harmless, and logged once.
    assert client.post(url(unsubscribe_token(trainee))).status_code == 200
    assert ModelLogEntry.objects.filter(action=services.LOG_OPT_OUT).count() == 1


def test_a_mail_programs_one_click_post_needs_no_cookie_or_csrf_token(site_tree):
    trainee = TraineeFactory()
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(url(unsubscribe_token(trainee)), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert reload(trainee).reminder_emails is False


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: unsubscribe_token(user)[:-3] + "abc",  # damaged
        lambda user: signing.dumps({"u": user.pk}, salt="another.purpose"),  # other salt
        lambda user: signing.dumps({"u": user.pk + 1000}, salt="lms.reminders.unsubscribe"),
        lambda user: "not-a-token",
    ],
    ids=["damaged", "other-salt", "no-such-user", "garbage"],
)
def test_a_forged_or_damaged_link_is_refused_with_an_explanation(client, site_tree, make_token):
    trainee = TraineeFactory()
    token = make_token(trainee)

    for response in (client.get(url(token)), client.post(url(token))):
        assert response.status_code == 400
        assert ja("This link cannot be used") in response.content.decode()
    assert reload(trainee).reminder_emails is True


def test_the_english_page_is_in_english(client, site_tree):
    trainee = TraineeFactory(preferred_language="en")
    response = client.get(f"/en{url(unsubscribe_token(trainee))}")
    assert response.status_code == 200
    assert "Stop sending reminder e-mails to" in response.content.decode()


# --- The profile page ------------------------------------------------------------------------
def test_the_trainee_switches_reminders_off_and_on_again_in_their_profile(client, site_tree):
    trainee = TraineeFactory()
    client.force_login(trainee)

    page = client.get("/accounts/profile/").content.decode()
    assert 'action="/reminders/preferences/"' in page
    assert 'name="reminder_emails" id="id_reminder_emails"' in page and " checked>" in page

    response = client.post("/reminders/preferences/", {}, follow=True)  # box unticked
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert reload(trainee).reminder_emails is False
    assert ja("You will no longer receive reminder e-mails.") in response.content.decode()
    assert " checked>" not in response.content.decode()

    client.post("/reminders/preferences/", {"reminder_emails": "on"})
    assert reload(trainee).reminder_emails is True
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(trainee.pk))
        .order_by("pk")
        .values_list("action", "user_id")
    )
    assert actions == [(services.LOG_OPT_OUT, trainee.pk), (services.LOG_OPT_IN, trainee.pk)]


def test_the_switch_is_only_for_the_signed_in_user_and_only_by_post(client, site_tree):
    response = client.post("/reminders/preferences/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    trainee = TraineeFactory()
    client.force_login(trainee)
    assert client.get("/reminders/preferences/").status_code == 405
    assert reload(trainee).reminder_emails is True

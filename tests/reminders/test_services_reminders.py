"""Reminder e-mails: who gets one, once, in their language, with a way to stop them."""

import datetime
import re
import threading
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from lms.certificates.eligibility import eligibility
from lms.courses.models import Enrollment
from lms.reminders import selectors, services, tasks
from lms.reminders.models import ReminderSent
from tests.factories import fieldwork as ff
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort, course_tree

from .conftest import DAY, days_ago, enrolled

pytestmark = pytest.mark.django_db
Kind = ReminderSent.Kind


def ja(message):
    with translation.override("ja"):
        return gettext(message)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the reminders as the scheduler would, with the e-mails queued after commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(**kwargs)

    return run


def unsubscribe_path(message) -> str:
    match = re.search(r"http://[^/]+(/(?:en/)?reminders/unsubscribe/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# --- Inactive trainees ---------------------------------------------------------------------
def test_an_idle_trainee_is_reminded_once_and_running_twice_sends_nothing_twice(
    send, course, running
):
    enrollment = enrolled(course, group=running, idle_days=20)
    mail.outbox.clear()

    first = send()
    second = send()

    assert first.sent == {Kind.INACTIVE: 1} and first.total_sent == 1
    assert second.total_sent == 0 and second.already_sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [enrollment.user.email]
    assert "空き家活用講座" in message.subject and "空き家活用講座" in message.body
    assert course.full_url in message.body  # where to continue
    path = unsubscribe_path(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and path in html and "空き家活用講座" in html
    assert list(ReminderSent.objects.values_list("enrollment", "kind", "period")) == [
        (enrollment.pk, Kind.INACTIVE, timezone.localdate(enrollment.last_activity_at))
    ]


def test_the_link_continues_at_the_last_lesson_viewed(send, course, running):
    from tests.factories.courses import lessons_of

    lesson = lessons_of(course)[1]
    enrolled(course, group=running, idle_days=20, last_lesson=lesson)
    mail.outbox.clear()
    send()
    assert lesson.full_url in mail.outbox[0].body


def test_a_new_absence_after_coming_back_gets_a_new_reminder(send, course, running):
    enrollment = enrolled(course, group=running, idle_days=40)
    send()
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=days_ago(15))
    mail.outbox.clear()

    run = send()

    assert run.sent == {Kind.INACTIVE: 1} and len(mail.outbox) == 1
    assert ReminderSent.objects.filter(enrollment=enrollment).count() == 2


def test_recent_activity_pending_and_finished_enrollments_get_nothing(send, course, running):
    enrolled(course, group=running, idle_days=13)
    enrolled(course, group=running, idle_days=30, status=Enrollment.Status.PENDING)
    enrolled(course, group=running, idle_days=30, status=Enrollment.Status.COMPLETED)
    enrolled(course, group=running, idle_days=30, status=Enrollment.Status.WITHDRAWN)
    mail.outbox.clear()

    run = send()

    assert run.total_sent == 0 and mail.outbox == []


def test_idleness_counts_from_the_approval_and_from_the_cohorts_start(send, course):
    today = timezone.localdate()
    never_seen = enrolled(course, idle_days=None, approved_days=20)  # self-paced
    just_approved = enrolled(course, idle_days=None, approved_days=3)
    late_start = cohort(course, name="第3期", starts_on=today - 10 * DAY, ends_on=today + 80 * DAY)
    waiting_for_start = enrolled(course, group=late_start, idle_days=None, approved_days=40)
    mail.outbox.clear()

    send()

    assert [m.to for m in mail.outbox] == [[never_seen.user.email]]
    reminded = set(ReminderSent.objects.values_list("enrollment_id", flat=True))
    assert just_approved.pk not in reminded and waiting_for_start.pk not in reminded


def test_the_number_of_days_is_a_setting(send, settings, course, running):
    settings.REMINDER_INACTIVE_DAYS = 3
    enrolled(course, group=running, idle_days=4)
    mail.outbox.clear()
    assert send().sent == {Kind.INACTIVE: 1}


def test_an_unpublished_course_sends_no_reminders(send, course, running):
    enrolled(course, group=running, idle_days=30)
    course.unpublish()
    mail.outbox.clear()
    assert send().total_sent == 0 and mail.outbox == []


# --- Opt-out and inactive accounts ---------------------------------------------------------
def test_a_trainee_who_opted_out_gets_nothing_and_is_counted(send, course, running, ending):
    quiet = TraineeFactory(reminder_emails=False)
    enrolled(course, user=quiet, group=running, idle_days=30)
    other_course = course_tree(course.get_parent(), slug="salon", title="共生サロン講座")
    enrolled(
        other_course,
        user=quiet,
        group=cohort(other_course, starts_on=ending.starts_on, ends_on=ending.ends_on),
    )
    left = TraineeFactory(is_active=False)
    enrolled(course, user=left, group=running, idle_days=30)
    mail.outbox.clear()

    run = send()

    assert mail.outbox == []
    assert run.total_sent == 0
    assert run.skipped_opted_out == 2 and run.skipped_inactive_accounts == 1
    assert not ReminderSent.objects.exists()  # switched on again later: reminded then


def test_opting_out_after_the_reminder_was_queued_stops_the_e_mail(course, running):
    enrollment = enrolled(course, group=running, idle_days=30)
    reminder = ReminderSent.objects.create(
        enrollment=enrollment, kind=Kind.INACTIVE, period=timezone.localdate() - 30 * DAY
    )
    services.user_reminder_emails_set(user=enrollment.user, enabled=False)
    mail.outbox.clear()

    outcome = tasks.send_reminder_email.call(reminder_id=reminder.pk)

    assert outcome.startswith("skipped") and mail.outbox == []


# --- Before the deadline --------------------------------------------------------------------
def test_before_the_cohorts_end_the_trainee_is_told_what_is_missing(send, course, ending):
    enrollment = enrolled(course, group=ending, idle_days=20)
    mail.outbox.clear()

    run = send()
    send()

    assert run.sent == {Kind.DEADLINE: 1}  # no inactivity reminder on top of it
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    with translation.override("ja"):
        missing = [item.message for item in eligibility(enrollment).missing]
    assert missing and all(item in message.body for item in missing)
    assert "空き家活用講座" in message.subject
    ends_on = ending.ends_on
    assert f"{ends_on.year}年{ends_on.month}月{ends_on.day}日" in message.subject
    assert ReminderSent.objects.get().period == ends_on


def test_no_deadline_reminder_far_from_the_end_after_it_or_once_complete(send, course):
    today = timezone.localdate()
    far = cohort(course, name="遠い期", starts_on=today - 10 * DAY, ends_on=today + 8 * DAY)
    over = cohort(course, name="終わった期", starts_on=today - 90 * DAY, ends_on=today - DAY)
    soon = cohort(course, name="近い期", starts_on=today - 90 * DAY, ends_on=today + 2 * DAY)
    enrolled(course, group=far, idle_days=1)
    enrolled(course, group=over, idle_days=1)
    enrolled(course, group=soon, idle_days=1, status=Enrollment.Status.COMPLETED)
    mail.outbox.clear()

    assert send().total_sent == 0 and mail.outbox == []


def test_a_trainee_who_meets_every_requirement_is_not_chased(send, course, ending):
    from lms.courses.models import LessonProgress
    from tests.factories.courses import lessons_of

    enrollment = enrolled(course, group=ending, idle_days=1)
    for lesson in lessons_of(course):
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson)
    mail.outbox.clear()

    assert send().total_sent == 0 and mail.outbox == []


# --- Language ------------------------------------------------------------------------------
def test_an_english_speaking_trainee_reads_it_in_english(send, course, ending):
    trainee = TraineeFactory(preferred_language="en", first_name="Hanako", last_name="Yamada")
    enrollment = enrolled(course, user=trainee, group=ending, idle_days=1)
    mail.outbox.clear()

    send()

    message = mail.outbox[0]
    with translation.override("en"):
        missing = [item.message for item in eligibility(enrollment).missing]
    assert message.subject.startswith("“空き家活用講座” ends on")
    assert "Dear Hanako Yamada," in message.body
    assert all(item in message.body for item in missing)
    assert unsubscribe_path(message).startswith("/en/reminders/unsubscribe/")


# --- Idempotency held by the database --------------------------------------------------------
def test_a_run_that_lost_the_race_sends_nothing(send, course, running):
    enrolled(course, group=running, idle_days=30)
    stale = selectors.reminders_due().pending  # computed before the other run recorded
    send()
    mail.outbox.clear()

    item = stale[0]
    recorded = services.reminder_record(
        enrollment=item.enrollment, kind=item.kind, period=item.period
    )

    assert recorded is None and mail.outbox == []
    assert ReminderSent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_one_e_mail(site_tree):
    course = course_tree(site_tree, slug="race", title="同時実行講座")
    today = timezone.localdate()
    group = cohort(course, starts_on=today - 60 * DAY, ends_on=today + 60 * DAY)
    enrollments = [enrolled(course, group=group, idle_days=30) for _ in range(5)]
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    runs, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            runs.append(services.reminders_send())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.user.email for e in enrollments)
    assert sum(r.total_sent for r in runs) == 5
    assert ReminderSent.objects.count() == 5


# --- The command, the dry run and the task API ------------------------------------------------
def summary(
    emails,
    inactive=0,
    deadline=0,
    fieldwork=0,
    opted_out=0,
    accounts=0,
    already=0,
    *,
    dry_run=False,
):
    """The command's summary as the active language writes it."""
    head = (
        ngettext(
            "Would send %(count)d reminder e-mail.",
            "Would send %(count)d reminder e-mails.",
            emails,
        )
        if dry_run
        else ngettext("Sent %(count)d reminder e-mail.", "Sent %(count)d reminder e-mails.", emails)
    )
    lines = [head % {"count": emails}]
    for (_kind, label), count in zip(Kind.choices, (inactive, deadline, fieldwork), strict=True):
        lines.append(
            ngettext("- %(kind)s: %(count)d reminder", "- %(kind)s: %(count)d reminders", count)
            % {"kind": label, "count": count}
        )
    for singular, plural, count in (
        (
            "Skipped %(count)d reminder: reminder e-mails are turned off.",
            "Skipped %(count)d reminders: reminder e-mails are turned off.",
            opted_out,
        ),
        (
            "Skipped %(count)d reminder: the account is inactive.",
            "Skipped %(count)d reminders: the accounts are inactive.",
            accounts,
        ),
        (
            "Skipped %(count)d reminder: already sent.",
            "Skipped %(count)d reminders: already sent.",
            already,
        ),
    ):
        lines.append(ngettext(singular, plural, count) % {"count": count})
    return lines


def test_the_command_prints_a_summary_in_english_and_a_second_run_sends_nothing(
    django_capture_on_commit_callbacks, settings, course, running, ending
):
    settings.LANGUAGE_CODE = "en"
    enrolled(course, group=running, idle_days=20)
    enrolled(course, group=running, idle_days=20)
    enrolled(course, group=ending, idle_days=1)
    enrolled(course, user=TraineeFactory(reminder_emails=False), group=running, idle_days=20)
    mail.outbox.clear()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "Sent 3 reminder e-mails.",
        "- No recent activity: 2 reminders",
        "- Cohort ends soon: 1 reminder",
        "- Fieldwork deadline soon: 0 reminders",
        "Skipped 1 reminder: reminder e-mails are turned off.",
        "Skipped 0 reminders: the accounts are inactive.",
        "Skipped 0 reminders: already sent.",
    ]
    assert len(mail.outbox) == 3

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines()[0] == "Sent 0 reminder e-mails."
    assert "Skipped 3 reminders: already sent." in out.getvalue()
    assert len(mail.outbox) == 3


def test_the_command_speaks_the_sites_language_whatever_is_active(
    django_capture_on_commit_callbacks, course, running, ending
):
    enrolled(course, group=running, idle_days=20)
    enrolled(course, group=ending, idle_days=1)
    ff.requirement(course, hours="10", deadline=ending.ends_on)
    mail.outbox.clear()
    out = StringIO()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)

    with translation.override("ja"):
        expected = summary(2, inactive=1, deadline=1, fieldwork=2)
    assert out.getvalue().splitlines() == expected
    assert len(mail.outbox) == 2  # one e-mail per trainee


def test_a_dry_run_counts_and_changes_nothing(
    django_capture_on_commit_callbacks, settings, course, running
):
    settings.LANGUAGE_CODE = "en"
    enrolled(course, group=running, idle_days=20)
    mail.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[:2] == [
        "Would send 1 reminder e-mail.",
        "- No recent activity: 1 reminder",
    ]
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_the_periodic_task_runs_through_the_task_api(
    django_capture_on_commit_callbacks, course, running
):
    enrolled(course, group=running, idle_days=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_reminders.enqueue()
    assert result.return_value["sent"] == {"inactive": 1, "deadline": 0, "fieldwork": 0}
    assert result.return_value["emails"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("size", [10, 60])
def test_finding_who_is_due_costs_the_same_at_two_sizes(
    course, running, ending, django_assert_num_queries, size
):
    """Nine queries: enrollments near a deadline, six of the completion rule (lessons two,
    quizzes, requirements, their categories, approved hours), idle enrollments, rows sent."""
    ff.requirement(course, hours="10", deadline=timezone.localdate() + 3 * DAY)
    for n in range(size):
        enrolled(course, group=running if n % 2 else ending, idle_days=20)
    with django_assert_num_queries(9):
        due = selectors.reminders_due(timezone.now() + datetime.timedelta(seconds=1))
    kinds = Counter(item.kind for item in due.pending)
    assert kinds == {Kind.FIELDWORK: size, Kind.DEADLINE: size // 2, Kind.INACTIVE: size // 2}

"""Before a fieldwork requirement's deadline: trainees short of approved hours are told the
date and how many hours are missing, once per deadline, in one e-mail with other reminders."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from lms.courses.models import Enrollment
from lms.fieldwork.models import FieldworkRequirement
from lms.reminders import services, tasks
from lms.reminders.models import ReminderSent
from tests.factories import fieldwork as ff
from tests.factories.accounts import TraineeFactory
from tests.factories.courses import cohort

from .conftest import DAY, enrolled

pytestmark = pytest.mark.django_db
Kind = ReminderSent.Kind


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(**kwargs)

    return run


@pytest.fixture
def due_in_3(course):
    """20 approved hours (hearing, salon, vacant houses) due in three days."""
    return ff.requirement(course, hours="20", deadline=timezone.localdate() + 3 * DAY)


def approved(enrollment, hours, category="hearing"):
    return ff.entry(enrollment, status="approved", category=category, hours=Decimal(hours))


def ja_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_self_paced_trainee_short_of_hours_is_told_the_date_and_the_hours_once(
    send, course, due_in_3
):
    enrollment = enrolled(course, idle_days=1)  # no cohort, active yesterday
    approved(enrollment, "2.5")
    approved(enrollment, "5", category="talks")  # a category that does not count
    ff.entry(enrollment, status="submitted", hours=Decimal("8"))  # not approved yet
    mail.outbox.clear()

    first = send()
    second = send()

    assert first.sent == {Kind.FIELDWORK: 1} and first.emails == 1
    assert second.total_sent == 0 and second.already_sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    deadline = due_in_3.deadline
    assert ja_date(deadline) in message.subject and "空き家活用講座" in message.subject
    with translation.override("ja"):
        missing, got = tasks.hours_text(Decimal("17.5")), tasks.hours_text(Decimal("2.5"))
    html, _mimetype = message.alternatives[0]
    for body in (message.body, html):
        assert ja_date(deadline) in body and missing in body and got in body
        assert f"/fieldwork/courses/{course.pk}/" in body
    assert list(ReminderSent.objects.values_list("enrollment", "kind", "period")) == [
        (enrollment.pk, Kind.FIELDWORK, deadline)
    ]


def test_the_hours_follow_the_one_completion_rule(send, course, due_in_3):
    """Missing hours are ``Eligibility.missing_hours``: categories that count, approved only."""
    from lms.certificates.eligibility import eligibility

    enrollment = enrolled(course, idle_days=1)
    approved(enrollment, "12")
    approved(enrollment, "3.25", category="salon")
    mail.outbox.clear()

    send()

    assert eligibility(enrollment).missing_hours == Decimal("4.75")
    with translation.override("ja"):
        assert tasks.hours_text(Decimal("4.75")) in mail.outbox[0].body


def test_nobody_is_chased_who_has_the_hours_or_is_outside_the_window(send, course, site_tree):
    from tests.factories.courses import course_tree

    today = timezone.localdate()
    ff.requirement(course, hours="10", deadline=today + 2 * DAY)
    done = enrolled(course, idle_days=1)
    approved(done, "10")
    enrolled(course, idle_days=1, status=Enrollment.Status.COMPLETED)
    enrolled(course, idle_days=1, status=Enrollment.Status.PENDING)
    not_started = cohort(course, name="未開始", starts_on=today + DAY, ends_on=today + 90 * DAY)
    enrolled(course, group=not_started, idle_days=None, approved_days=5)
    for slug, deadline in (("far", today + 8 * DAY), ("over", today - DAY), ("none", None)):
        other = course_tree(site_tree, slug=slug, title=f"講座{slug}", lessons=1)
        ff.requirement(other, hours="10", deadline=deadline)
        enrolled(other, idle_days=1)
    mail.outbox.clear()

    assert send().total_sent == 0 and mail.outbox == []


def test_on_the_deadline_day_and_after_it_moves_a_new_reminder(send, course):
    today = timezone.localdate()
    requirement = ff.requirement(course, hours="10", deadline=today)
    enrollment = enrolled(course, idle_days=1)
    assert send().sent == {Kind.FIELDWORK: 1}
    FieldworkRequirement.objects.filter(pk=requirement.pk).update(deadline=today + 6 * DAY)
    mail.outbox.clear()

    run = send()

    assert run.sent == {Kind.FIELDWORK: 1} and len(mail.outbox) == 1
    assert ja_date(today + 6 * DAY) in mail.outbox[0].subject
    periods = ReminderSent.objects.filter(enrollment=enrollment).values_list("period", flat=True)
    assert sorted(periods) == [today, today + 6 * DAY]


def test_a_trainee_who_opted_out_gets_nothing(send, course, due_in_3):
    enrolled(course, user=TraineeFactory(reminder_emails=False), idle_days=1)
    mail.outbox.clear()

    run = send()

    assert run.total_sent == 0 and run.skipped_opted_out == 1 and mail.outbox == []
    assert not ReminderSent.objects.exists()


# --- One e-mail for everything due --------------------------------------------------------
def test_the_cohorts_end_and_the_fieldwork_deadline_come_in_one_e_mail(
    send, course, ending, due_in_3
):
    enrollment = enrolled(course, group=ending, idle_days=1)
    approved(enrollment, "15")
    mail.outbox.clear()

    run = send()

    assert run.sent == {Kind.DEADLINE: 1, Kind.FIELDWORK: 1} and run.emails == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert ja_date(ending.ends_on) in message.subject  # the cohort's end leads
    with translation.override("ja"):
        missing = tasks.hours_text(Decimal("5"))
    assert ja_date(due_in_3.deadline) in message.body and missing in message.body
    assert set(ReminderSent.objects.values_list("kind", "period")) == {
        (Kind.DEADLINE, ending.ends_on),
        (Kind.FIELDWORK, due_in_3.deadline),
    }
    mail.outbox.clear()
    assert send().already_sent == 2 and mail.outbox == []


def test_inactivity_and_the_fieldwork_deadline_come_in_one_e_mail(send, course, due_in_3):
    enrolled(course, idle_days=20)
    mail.outbox.clear()

    run = send()

    assert run.sent == {Kind.FIELDWORK: 1, Kind.INACTIVE: 1} and run.emails == 1
    message = mail.outbox[0]
    assert ja_date(due_in_3.deadline) in message.subject
    with translation.override("ja"):
        from django.utils.translation import ngettext

        idle = ngettext(
            "You have not studied “%(course)s” for %(days)s day.",
            "You have not studied “%(course)s” for %(days)s days.",
            20,
        ) % {"course": course.title, "days": 20}
    assert idle in message.body
    assert course.full_url in message.body


def test_a_row_already_recorded_by_another_run_is_left_out_of_the_e_mail(
    django_capture_on_commit_callbacks, course, ending, due_in_3
):
    enrollment = enrolled(course, group=ending, idle_days=1)
    ReminderSent.objects.create(enrollment=enrollment, kind=Kind.DEADLINE, period=ending.ends_on)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        recorded = services.reminders_record(
            enrollment=enrollment,
            occasions=[(Kind.DEADLINE, ending.ends_on), (Kind.FIELDWORK, due_in_3.deadline)],
        )

    assert [r.kind for r in recorded] == [Kind.FIELDWORK]
    assert len(mail.outbox) == 1
    assert ja_date(due_in_3.deadline) in mail.outbox[0].subject  # the fieldwork e-mail


def test_hours_approved_after_the_reminder_was_queued_stop_it(course, due_in_3):
    enrollment = enrolled(course, idle_days=1)
    reminder = ReminderSent.objects.create(
        enrollment=enrollment, kind=Kind.FIELDWORK, period=due_in_3.deadline
    )
    approved(enrollment, "20")
    mail.outbox.clear()

    outcome = tasks.send_reminder_email.call(reminder_id=reminder.pk)

    assert outcome.startswith("skipped") and mail.outbox == []


# --- Language -----------------------------------------------------------------------------
def test_an_english_speaking_trainee_reads_the_date_and_hours_in_english(send, course, due_in_3):
    trainee = TraineeFactory(preferred_language="en", first_name="Hanako", last_name="Yamada")
    enrollment = enrolled(course, user=trainee, idle_days=1)
    approved(enrollment, "19")
    mail.outbox.clear()

    send()

    message = mail.outbox[0]
    with translation.override("en"):
        deadline = formats.date_format(due_in_3.deadline)
    assert message.subject == f"Fieldwork for “空き家活用講座” is due on {deadline}"
    assert "Dear Hanako Yamada," in message.body
    assert "Approved so far: 19 hours of the 20 hours required. Still missing: 1 hour." in (
        message.body
    )
    assert f"/en/fieldwork/courses/{course.pk}/" in message.body


@pytest.mark.parametrize(
    ("value", "english"),
    [("1", "1 hour"), ("0.5", "0.5 hours"), ("1.5", "1.5 hours"), ("20.00", "20 hours")],
)
def test_hours_read_naturally(value, english):
    with translation.override("en"):
        assert tasks.hours_text(Decimal(value)) == english

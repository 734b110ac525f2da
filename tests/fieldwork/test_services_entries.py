"""Entries: drafts, the hours and date rules (in Japanese), submission, review, corrections."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from lms.fieldwork import selectors, services
from lms.fieldwork.models import FieldworkEntry, FieldworkEvent, SupervisorToken
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry, requirement

pytestmark = pytest.mark.django_db
Status = FieldworkEntry.Status


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="fw")


@pytest.fixture
def enrollment(course):
    return enrolled(course)


def _messages(exc_info, field):
    return exc_info.value.message_dict[field]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("1.1", "15分（0.25時間）単位"),
        ("0.1", "15分（0.25時間）単位"),
        ("0", "0より大きく"),
        ("24.25", "1日は24時間まで"),
        ("-1", "0より大きく"),
    ],
)
def test_hours_must_be_quarter_hours_within_a_day(hours, message):
    with pytest.raises(ValidationError) as exc_info:
        services.hours_check(Decimal(hours))
    assert message in exc_info.value.messages[0]


@pytest.mark.parametrize("hours", ["0.25", "1.5", "2.75", "24"])
def test_quarter_hours_are_accepted(hours):
    assert services.hours_check(hours) == Decimal(hours)


def test_future_dates_and_dates_before_enrollment_are_refused_in_japanese(enrollment):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc_info:
        services.date_check(tomorrow, enrollment=enrollment)
    assert "未来の日付" in exc_info.value.messages[0]
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    with pytest.raises(ValidationError) as exc_info:
        services.date_check(long_ago, enrollment=enrollment)
    assert "受講登録" in exc_info.value.messages[0]
    assert services.date_check(timezone.localdate(), enrollment=enrollment)


def test_a_days_total_is_at_most_24_hours_across_entries(enrollment):
    day = timezone.localdate() - datetime.timedelta(days=2)
    entry(enrollment, status=Status.SUBMITTED, date=day, hours=Decimal("20"))
    too_much = entry(enrollment, date=day, hours=Decimal("4.25"))
    with pytest.raises(ValidationError) as exc_info:
        services.entry_submit(entry=too_much, actor=enrollment.user)
    assert "24時間を超え" in _messages(exc_info, "hours")[0]
    too_much.refresh_from_db()
    assert too_much.status == Status.DRAFT
    # Exactly 24 hours is fine; a rejected entry does not count toward the day.
    fits = entry(enrollment, date=day, hours=Decimal("4"))
    services.entry_submit(entry=fits, actor=enrollment.user)
    assert FieldworkEntry.objects.get(pk=fits.pk).status == Status.SUBMITTED


def test_submitting_needs_a_complete_entry(enrollment):
    draft = services.entry_save_draft(
        enrollment=enrollment, actor=enrollment.user, changes={"activity": "下書き"}
    )
    with pytest.raises(ValidationError) as exc_info:
        services.entry_submit(entry=draft, actor=enrollment.user)
    errors = exc_info.value.message_dict
    assert {"date", "hours", "prefecture", "category", "learned"} <= set(errors)
    assert "日付" in errors["date"][0]


def test_only_the_categories_of_the_requirement_count(course, enrollment):
    requirement(course, counted=("hearing",))
    other = entry(enrollment, category="talks")
    with pytest.raises(ValidationError) as exc_info:
        services.entry_submit(entry=other, actor=enrollment.user)
    assert "この講座では数えられません" in _messages(exc_info, "category")[0]


def test_a_stale_draft_save_is_refused(enrollment):
    draft = services.entry_save_draft(
        enrollment=enrollment, actor=enrollment.user, changes={"activity": "一回目"}
    )
    services.entry_save_draft(
        enrollment=enrollment,
        actor=enrollment.user,
        entry=draft,
        version=draft.version,
        changes={"activity": "二回目"},
    )
    with pytest.raises(services.StaleDraft) as exc_info:
        services.entry_save_draft(
            enrollment=enrollment,
            actor=enrollment.user,
            entry=draft,
            version=draft.version,  # what the older page holds
            changes={"activity": "古いページから"},
        )
    assert "別のページ" in exc_info.value.messages[0]
    assert FieldworkEntry.objects.get(pk=draft.pk).activity == "二回目"


def test_submit_review_and_every_change_is_recorded(
    course, enrollment, django_capture_on_commit_callbacks
):
    requirement(course, hours="4")
    instructor = InstructorFactory()
    draft = entry(
        enrollment, hours=Decimal("3"), supervisor_name="佐藤", supervisor_email="sato@example.jp"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, actor=enrollment.user)
    assert [m.to for m in mail.outbox] == [["sato@example.jp"]]
    draft.refresh_from_db()
    assert draft.supervisor_status == FieldworkEntry.SupervisorStatus.PENDING

    with pytest.raises(ValidationError):
        services.entry_review(entry=draft, actor=instructor, decision="return", comment="")
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_review(
            entry=draft, actor=instructor, decision="return", comment="場所を詳しく"
        )
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED and draft.is_editable
    assert mail.outbox[-1].to == [enrollment.user.email]
    services.entry_save_draft(
        enrollment=enrollment, actor=enrollment.user, entry=draft, changes={"site": "上田市役所"}
    )
    services.entry_submit(entry=draft, actor=enrollment.user)
    services.entry_review(entry=draft, actor=instructor, decision="approve", comment="")
    events = list(FieldworkEvent.objects.filter(entry=draft, kind="review").order_by("pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
    ]
    assert events[1].actor == instructor and events[1].comment == "場所を詳しく"
    status = selectors.fieldwork_status(enrollment)
    assert (status.approved_hours, status.required_hours, status.missing_hours) == (
        Decimal("3"),
        Decimal("4"),
        Decimal("1"),
    )


def test_events_are_append_only(enrollment):
    event = FieldworkEvent.objects.create(
        entry=entry(enrollment), kind="review", from_status="draft", to_status="submitted"
    )
    event.comment = "書き換え"
    with pytest.raises(ValueError):
        event.save()


def test_only_approved_hours_in_counted_categories_count(course, enrollment):
    requirement(course, hours="10", counted=("hearing", "salon"))
    entry(enrollment, status=Status.APPROVED, hours=Decimal("2"), category="hearing", days_ago=1)
    entry(enrollment, status=Status.APPROVED, hours=Decimal("1.5"), category="salon", days_ago=2)
    entry(enrollment, status=Status.APPROVED, hours=Decimal("5"), category="talks", days_ago=3)
    entry(enrollment, status=Status.SUBMITTED, hours=Decimal("4"), days_ago=4)
    entry(enrollment, status=Status.REJECTED, hours=Decimal("4"), days_ago=5)
    assert selectors.approved_hours(enrollment) == Decimal("3.5")
    summary = selectors.trainee_summary(enrollment)
    assert summary.status.missing_hours == Decimal("6.5")
    assert summary.pending_hours == Decimal("4")
    assert {row.label: row.counts for row in summary.by_category} == {
        "住民ヒアリング": True,
        "共生サロン運営補助": True,
        "行政・事業者との協議": False,
    }
    assert summary.by_prefecture == {"nagano": Decimal("8.5")}


def test_a_trainee_cannot_write_into_someone_elses_enrollment(enrollment):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.entry_save_draft(
            enrollment=enrollment, actor=TraineeFactory(), changes={"activity": "x"}
        )


def test_correcting_a_confirmed_entry_needs_a_new_confirmation(
    enrollment, django_capture_on_commit_callbacks
):
    draft = entry(enrollment, supervisor_name="佐藤", supervisor_email="sato@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, actor=enrollment.user)
    token = SupervisorToken.objects.get(entry=draft)
    raw = mail.outbox[-1].body.split("/confirm/")[1].split("/")[0]
    services.supervisor_respond(raw_token=raw, confirm=True)
    draft.refresh_from_db()
    assert draft.supervisor_status == "confirmed" and not draft.is_editable
    with pytest.raises(ValidationError) as exc_info:
        services.entry_save_draft(
            enrollment=enrollment,
            actor=enrollment.user,
            entry=draft,
            changes={"hours": Decimal("3")},
        )
    assert "修正" in exc_info.value.messages[0]
    with pytest.raises(ValidationError):
        services.entry_correction_start(entry=draft, actor=enrollment.user, reason="")
    services.entry_correction_start(entry=draft, actor=enrollment.user, reason="時間を誤記")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.supervisor_status == "none"
    correction = FieldworkEvent.objects.get(entry=draft, kind="correction")
    assert correction.snapshot["hours"] == "2.50" and correction.comment == "時間を誤記"
    services.entry_save_draft(
        enrollment=enrollment, actor=enrollment.user, entry=draft, changes={"hours": Decimal("3")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, actor=enrollment.user)
    assert SupervisorToken.objects.filter(entry=draft).count() == 2
    assert token.pk != SupervisorToken.objects.filter(entry=draft).latest("created_at").pk
    draft.refresh_from_db()
    assert draft.supervisor_status == "pending"

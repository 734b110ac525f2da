"""Writes of the reminders app: recording and sending reminders, opting out and back in."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from wagtail.log_actions import log

from lms.courses.models import Enrollment

from . import selectors
from .models import ReminderSent

logger = logging.getLogger(__name__)
User = get_user_model()

LOG_OPT_OUT = "lms_reminders.opt_out"
LOG_OPT_IN = "lms_reminders.opt_in"


@dataclass
class ReminderRun:
    """What one run did (or, with ``dry_run``, would do)."""

    dry_run: bool = False
    #: Reminders recorded, by kind; several due for one enrollment go out in one e-mail.
    sent: Counter = field(default_factory=Counter)
    emails: int = 0
    skipped_opted_out: int = 0
    skipped_inactive_accounts: int = 0
    already_sent: int = 0

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "emails": self.emails,
            "sent": {kind: self.sent.get(kind, 0) for kind in ReminderSent.Kind.values},
            "skipped_opted_out": self.skipped_opted_out,
            "skipped_inactive_accounts": self.skipped_inactive_accounts,
            "already_sent": self.already_sent,
        }


def reminders_record(
    *, enrollment: Enrollment, occasions: list[tuple[str, datetime.date]]
) -> list[ReminderSent]:
    """Record the reminders due for one enrollment and enqueue ONE e-mail for them after
    commit; returns those recorded (none if every one was sent already).

    Each row is inserted in its own savepoint and the unique constraint (enrollment, kind,
    period) decides: a run that loses the race to another gets an IntegrityError for that
    row, and the e-mail carries only the rows this run recorded.
    """
    from .tasks import send_reminder_email

    recorded = []
    with transaction.atomic():
        for kind, period in occasions:
            reminder = ReminderSent(enrollment=enrollment, kind=kind, period=period)
            reminder.full_clean(validate_constraints=False)  # the database holds it
            try:
                with transaction.atomic():
                    reminder.save()
            except IntegrityError:
                continue
            recorded.append(reminder)
        if recorded:
            first, *others = (r.pk for r in recorded)
            transaction.on_commit(
                lambda: send_reminder_email.enqueue(reminder_id=first, also_ids=others)
            )
    return recorded


def reminder_record(
    *, enrollment: Enrollment, kind: str, period: datetime.date
) -> ReminderSent | None:
    """Record one reminder and enqueue its e-mail after commit; None if it was sent already."""
    recorded = reminders_record(enrollment=enrollment, occasions=[(kind, period)])
    return recorded[0] if recorded else None


def reminders_send(*, now: datetime.datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """Send every reminder due now, once; skip trainees who opted out or cannot log in.

    The reminders due for one enrollment in this run (a cohort's end and the fieldwork
    deadline, or inactivity and the fieldwork deadline) go out as one e-mail.
    """
    run = ReminderRun(dry_run=dry_run)
    due = selectors.reminders_due(now)
    run.already_sent = due.already_sent
    by_enrollment: dict[int, list[selectors.Due]] = {}
    for item in due.pending:
        by_enrollment.setdefault(item.enrollment.pk, []).append(item)
    for items in by_enrollment.values():
        enrollment = items[0].enrollment
        user = enrollment.user
        if not user.is_active:
            run.skipped_inactive_accounts += len(items)
        elif not user.reminder_emails:
            run.skipped_opted_out += len(items)
        elif dry_run:
            run.emails += 1
            run.sent.update(item.kind for item in items)
        else:
            recorded = reminders_record(
                enrollment=enrollment, occasions=[(item.kind, item.period) for item in items]
            )
            if recorded:
                run.emails += 1
            run.sent.update(reminder.kind for reminder in recorded)
            run.already_sent += len(items) - len(recorded)
    logger.info("reminders: %s", run.as_dict())
    return run


@transaction.atomic
def user_reminder_emails_set(*, user, enabled: bool, actor=None) -> None:
    """Turn ``user``'s reminder e-mails on or off (idempotent), logged in their history.

    ``actor`` is who did it: the user from their profile, or nobody (the unsubscribe link).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.reminder_emails == enabled:
        return
    user.reminder_emails = enabled
    user.save(update_fields=["reminder_emails"])
    log(instance=user, action=LOG_OPT_IN if enabled else LOG_OPT_OUT, user=actor)

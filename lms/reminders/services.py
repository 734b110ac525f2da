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
    sent: Counter = field(default_factory=Counter)
    skipped_opted_out: int = 0
    skipped_inactive_accounts: int = 0
    already_sent: int = 0

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "sent": {kind: self.sent.get(kind, 0) for kind in ReminderSent.Kind.values},
            "skipped_opted_out": self.skipped_opted_out,
            "skipped_inactive_accounts": self.skipped_inactive_accounts,
            "already_sent": self.already_sent,
        }


def reminder_record(
    *, enrollment: Enrollment, kind: str, period: datetime.date
) -> ReminderSent | None:
    """Record the reminder and enqueue its e-mail after commit; None if it was sent already.

    The unique constraint (enrollment, kind, period) decides: a run that loses the race
    to another gets an IntegrityError here, and sends nothing.
    """
    from .tasks import send_reminder_email

    reminder = ReminderSent(enrollment=enrollment, kind=kind, period=period)
    reminder.full_clean(validate_constraints=False)  # the database holds the constraint
    try:
        with transaction.atomic():
            reminder.save()
            transaction.on_commit(lambda: send_reminder_email.enqueue(reminder_id=reminder.pk))
    except IntegrityError:
        return None
    return reminder


def reminders_send(*, now: datetime.datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """Send every reminder due now, once; skip trainees who opted out or cannot log in."""
    run = ReminderRun(dry_run=dry_run)
    due = selectors.reminders_due(now)
    run.already_sent = due.already_sent
    for item in due.pending:
        user = item.enrollment.user
        if not user.is_active:
            run.skipped_inactive_accounts += 1
        elif not user.reminder_emails:
            run.skipped_opted_out += 1
        elif dry_run:
            run.sent[item.kind] += 1
        elif reminder_record(enrollment=item.enrollment, kind=item.kind, period=item.period):
            run.sent[item.kind] += 1
        else:
            run.already_sent += 1
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

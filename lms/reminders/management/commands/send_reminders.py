"""Send the reminder e-mails due now; for a scheduler (cron, a systemd timer), once a day.

    python manage.py send_reminders [--dry-run]

Running it twice sends nothing twice (docs/decisions/0017-reminders.md).
"""

from django.core.management.base import BaseCommand

from lms.reminders.models import ReminderSent
from lms.reminders.services import reminders_send


class Command(BaseCommand):
    help = "Send reminder e-mails to inactive trainees and before cohort deadlines (once each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent; record and send nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        run = reminders_send(dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        per_kind = ", ".join(f"{kind} {run.sent.get(kind, 0)}" for kind in ReminderSent.Kind.values)
        self.stdout.write(f"{verb} {run.total_sent} reminders: {per_kind}.")
        self.stdout.write(
            f"Skipped: opted out {run.skipped_opted_out}, "
            f"inactive accounts {run.skipped_inactive_accounts}, "
            f"already sent {run.already_sent}."
        )

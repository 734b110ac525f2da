"""Send the reminder e-mails due now; for a scheduler (cron, a systemd timer), once a day.

    python manage.py send_reminders [--dry-run]

Running it twice sends nothing twice (docs/decisions/0017-reminders.md). The summary is
printed in the site's language (``settings.LANGUAGE_CODE``).
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from lms.reminders.models import ReminderSent
from lms.reminders.services import ReminderRun, reminders_send


def summary_lines(run: ReminderRun) -> list[str]:
    """What the run did, a sentence a line, in the active language."""
    if run.dry_run:
        head = ngettext(
            "Would send %(count)d reminder e-mail.",
            "Would send %(count)d reminder e-mails.",
            run.emails,
        )
    else:
        head = ngettext(
            "Sent %(count)d reminder e-mail.", "Sent %(count)d reminder e-mails.", run.emails
        )
    lines = [head % {"count": run.emails}]
    for kind, label in ReminderSent.Kind.choices:
        count = run.sent.get(kind, 0)
        lines.append(
            ngettext("- %(kind)s: %(count)d reminder", "- %(kind)s: %(count)d reminders", count)
            % {"kind": label, "count": count}
        )
    skipped = (
        (
            run.skipped_opted_out,
            ngettext(
                "Skipped %(count)d reminder: reminder e-mails are turned off.",
                "Skipped %(count)d reminders: reminder e-mails are turned off.",
                run.skipped_opted_out,
            ),
        ),
        (
            run.skipped_inactive_accounts,
            ngettext(
                "Skipped %(count)d reminder: the account is inactive.",
                "Skipped %(count)d reminders: the accounts are inactive.",
                run.skipped_inactive_accounts,
            ),
        ),
        (
            run.already_sent,
            ngettext(
                "Skipped %(count)d reminder: already sent.",
                "Skipped %(count)d reminders: already sent.",
                run.already_sent,
            ),
        ),
    )
    lines.extend(message % {"count": count} for count, message in skipped)
    return lines


class Command(BaseCommand):
    help = gettext_lazy(
        "Send reminder e-mails to inactive trainees and before cohort and fieldwork "
        "deadlines (once each)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Count what would be sent; record and send nothing."),
        )

    def handle(self, *args, dry_run=False, **options):
        run = reminders_send(dry_run=dry_run)
        with translation.override(settings.LANGUAGE_CODE):
            for line in summary_lines(run):
                self.stdout.write(line)

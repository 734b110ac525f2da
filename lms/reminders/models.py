"""Reminders (issue 8, part 4): which reminder e-mail went out for which enrollment.

A row is written in the same transaction that enqueues the e-mail, and the database holds
one row per enrollment, kind and period: two runs of ``send_reminders`` in a row, or two
at the same time, send one e-mail. See docs/decisions/0017-reminders.md.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderSent(models.Model):
    """One reminder e-mail sent (or queued) for an enrollment.

    ``period`` says which occasion the reminder is about, so the next occasion gets its own
    reminder and the same occasion never a second one: for "inactive", the day of the last
    activity (or of the approval, or of the cohort's start) the trainee has been away since;
    for "deadline", the cohort's end date; for "fieldwork", the deadline of the course's
    fieldwork requirement (``FieldworkRequirement.deadline``). Moving a date is a new occasion.
    """

    class Kind(models.TextChoices):
        INACTIVE = "inactive", _("No recent activity")
        DEADLINE = "deadline", _("Cohort ends soon")
        FIELDWORK = "fieldwork", _("Fieldwork deadline soon")

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        # A log of e-mails sent; it never keeps an enrollment (or a person) from going.
        on_delete=models.CASCADE,
        related_name="reminders_sent",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.DateField(_("period"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind", "period"], name="one_reminder_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} ({self.enrollment_id})"

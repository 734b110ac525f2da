"""Reminder e-mails through the django-tasks API (a worker sends them in production)."""

from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_tasks import task


def _page_url(page) -> str:
    """The page in the active language when it has a live translation, as a full URL."""
    localized = page.localized
    return (localized if localized.live else page).get_full_url() or ""


def hours_text(value: Decimal) -> str:
    """「7.5時間」/ "7.5 hours" / "1 hour", in the active language."""
    # ngettext needs a whole number: a fraction takes the form of "many" (English: 1.5 hours).
    count = int(value) if value == value.to_integral_value() else 2
    return ngettext("%(hours)s hour", "%(hours)s hours", count) % {
        "hours": f"{value.normalize():f}"
    }


#: When several reminders go out in one e-mail, the first of these that is due decides its
#: template (subject and main text); the others add their paragraph to it.
PRIORITY = ("deadline", "fieldwork", "inactive")


@task()
def send_reminder_email(*, reminder_id: int, also_ids: list[int] | None = None) -> str:
    """E-mail the recorded reminders of one enrollment (``reminder_id`` and ``also_ids``,
    all of one run) as one message, in the trainee's language, with an unsubscribe link.

    Checked again here, because a worker may run it later than it was queued: a trainee
    who opted out, left, or completed the course (or, for the fieldwork deadline, reached
    the hours) in between gets nothing about it.
    """
    from lms.certificates.eligibility import eligibility
    from lms.courses.models import Enrollment

    from .models import ReminderSent
    from .tokens import unsubscribe_token

    Kind = ReminderSent.Kind
    reminder = ReminderSent.objects.select_related(
        "enrollment__user", "enrollment__course", "enrollment__cohort", "enrollment__last_lesson"
    ).get(pk=reminder_id)
    enrollment = reminder.enrollment
    user = enrollment.user
    if not (user.is_active and user.reminder_emails):
        return "skipped: opted out or inactive account"
    if enrollment.status != Enrollment.Status.ACTIVE:
        return "skipped: enrollment no longer active"
    reminders = {reminder.kind: reminder}
    if also_ids:
        for other in ReminderSent.objects.filter(pk__in=also_ids, enrollment_id=enrollment.pk):
            reminders.setdefault(other.kind, other)
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        missing = []
        fieldwork = None
        if Kind.DEADLINE in reminders or Kind.FIELDWORK in reminders:
            answer = eligibility(enrollment)
            if answer.complete:
                reminders.pop(Kind.DEADLINE, None)
            missing = [item.message for item in answer.missing]
            if Kind.FIELDWORK in reminders:
                if answer.missing_hours > 0:
                    fieldwork = {
                        "deadline": reminders[Kind.FIELDWORK].period,
                        "missing": hours_text(answer.missing_hours),
                        "approved": hours_text(answer.approved_hours),
                        "required": hours_text(answer.required_hours),
                    }
                else:
                    reminders.pop(Kind.FIELDWORK)
        if not reminders:
            return "skipped: nothing missing any more"
        kind = next(k for k in PRIORITY if k in reminders)
        inactive = reminders.get(Kind.INACTIVE)
        lesson = enrollment.last_lesson
        continue_page = lesson if lesson is not None and lesson.live else enrollment.course
        token = unsubscribe_token(user)
        unsubscribe_url = base_url + reverse("reminders:unsubscribe", args=[token])
        context = {
            "user": user,
            "course": enrollment.course,
            "cohort": enrollment.cohort,
            "reminder": reminders[kind],
            "idle_days": (timezone.localdate() - inactive.period).days if inactive else None,
            "missing": missing,
            "fieldwork": fieldwork,
            "continue_url": _page_url(continue_page),
            "course_url": _page_url(enrollment.course),
            "fieldwork_url": base_url + reverse("fieldwork:course", args=[enrollment.course_id]),
            "unsubscribe_url": unsubscribe_url,
            "profile_url": base_url + reverse("accounts:profile"),
        }
        prefix = f"lms/reminders/email/{kind}"
        subject = render_to_string(f"{prefix}_subject.txt", context).strip()
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        None,
        [user.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer their own "unsubscribe" button,
            # which POSTs to the link (the view accepts that without a cookie).
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return "sent"


@task()
def send_reminders(*, dry_run: bool = False) -> dict:
    """The periodic run (``manage.py send_reminders`` does the same): what it sent."""
    from .services import reminders_send

    return reminders_send(dry_run=dry_run).as_dict()

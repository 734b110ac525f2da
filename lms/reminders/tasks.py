"""Reminder e-mails through the django-tasks API (a worker sends them in production)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task


def _page_url(page) -> str:
    """The page in the active language when it has a live translation, as a full URL."""
    localized = page.localized
    return (localized if localized.live else page).get_full_url() or ""


@task()
def send_reminder_email(*, reminder_id: int) -> str:
    """E-mail one recorded reminder, in the trainee's language, with an unsubscribe link.

    Checked again here, because a worker may run it later than it was queued: a trainee
    who opted out, left, or completed the course in between gets nothing.
    """
    from lms.certificates.eligibility import eligibility
    from lms.courses.models import Enrollment

    from .models import ReminderSent
    from .tokens import unsubscribe_token

    reminder = ReminderSent.objects.select_related(
        "enrollment__user", "enrollment__course", "enrollment__cohort", "enrollment__last_lesson"
    ).get(pk=reminder_id)
    enrollment = reminder.enrollment
    user = enrollment.user
    if not (user.is_active and user.reminder_emails):
        return "skipped: opted out or inactive account"
    if enrollment.status != Enrollment.Status.ACTIVE:
        return "skipped: enrollment no longer active"
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        missing = []
        if reminder.kind == ReminderSent.Kind.DEADLINE:
            answer = eligibility(enrollment)
            if answer.complete:
                return "skipped: complete"
            missing = [item.message for item in answer.missing]
        lesson = enrollment.last_lesson
        continue_page = lesson if lesson is not None and lesson.live else enrollment.course
        token = unsubscribe_token(user)
        unsubscribe_url = base_url + reverse("reminders:unsubscribe", args=[token])
        context = {
            "user": user,
            "course": enrollment.course,
            "cohort": enrollment.cohort,
            "reminder": reminder,
            "idle_days": (timezone.localdate() - reminder.period).days,
            "missing": missing,
            "continue_url": _page_url(continue_page),
            "course_url": _page_url(enrollment.course),
            "unsubscribe_url": unsubscribe_url,
            "profile_url": base_url + reverse("accounts:profile"),
        }
        prefix = f"lms/reminders/email/{reminder.kind}"
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

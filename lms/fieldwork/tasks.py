"""E-mails of the fieldwork app, through the django-tasks API (a worker sends them)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@task()
def send_supervisor_request(*, token_id: int, raw_token: str) -> None:
    """Ask the supervisor (受入先担当者) to confirm an entry, with the one-time link.

    The raw token exists only in this message: the database keeps its hash. Supervisors
    have no account and no language setting, so the message is in Japanese (the site's
    language).
    """
    from .models import SupervisorToken

    token = SupervisorToken.objects.select_related(
        "entry__enrollment__user", "entry__enrollment__course", "entry__category"
    ).get(pk=token_id)
    entry = token.entry
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "entry": entry,
            "trainee": entry.enrollment.user,
            "course": entry.enrollment.course,
            "link": _absolute(reverse("fieldwork:supervisor", args=[raw_token])),
            "expires_at": token.expires_at,
        }
        subject = render_to_string("lms/fieldwork/email/supervisor_subject.txt", context).strip()
        body = render_to_string("lms/fieldwork/email/supervisor_body.txt", context)
    send_mail(subject, body, None, [token.email])


@task()
def send_review_email(*, entry_id: int) -> None:
    """Tell the trainee an instructor approved, returned or rejected an entry."""
    from .models import FieldworkEntry

    entry = FieldworkEntry.objects.select_related("enrollment__user", "enrollment__course").get(
        pk=entry_id
    )
    user = entry.enrollment.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "entry": entry,
            "user": user,
            "course": entry.enrollment.course,
            "link": _absolute(reverse("fieldwork:entry", args=[entry.pk])),
        }
        subject = render_to_string("lms/fieldwork/email/review_subject.txt", context).strip()
        body = render_to_string("lms/fieldwork/email/review_body.txt", context)
    send_mail(subject, body, None, [user.email])

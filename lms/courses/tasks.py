"""Background work for courses, through the django-tasks API (a worker sends it in production)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

KINDS = ("approved", "rejected", "waitlisted", "promoted")


@task()
def send_enrollment_email(*, enrollment_id: int, kind: str) -> None:
    """E-mail the trainee about a decision on their enrollment, in their own language."""
    from .models import Enrollment

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    enrollment = Enrollment.objects.select_related("user", "course", "cohort").get(pk=enrollment_id)
    user = enrollment.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "enrollment": enrollment,
            "user": user,
            "course": enrollment.course,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
        }
        subject = render_to_string(f"lms/courses/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"lms/courses/email/{kind}_body.txt", context)
    send_mail(subject, body, None, [user.email])

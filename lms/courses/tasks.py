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


@task()
def send_invitation_email(*, enrollment_id: int, new_account: bool) -> None:
    """Tell someone an instructor enrolled them (bulk enrollment), in their own language.

    A new account gets a link to set its password: allauth's password-reset-from-key page,
    with a token made now by the generator allauth checks it with (it signs the password
    hash and the e-mail addresses, so the link stops working once the password is set).
    """
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    from .models import Enrollment

    enrollment = Enrollment.objects.select_related("user", "course", "cohort").get(pk=enrollment_id)
    user = enrollment.user
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "enrollment": enrollment,
            "user": user,
            "course": enrollment.course,
            "new_account": new_account,
            "waitlisted": enrollment.status == Enrollment.Status.WAITLISTED,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            "login_url": base_url + reverse("account_login"),
        }
        if new_account:
            path = reverse(
                "account_reset_password_from_key",
                kwargs={
                    "uidb36": user_pk_to_url_str(user),
                    "key": default_token_generator.make_token(user),
                },
            )
            context["set_password_url"] = base_url + path
            context["link_valid_days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        subject = render_to_string("lms/courses/email/invitation_subject.txt", context).strip()
        body = render_to_string("lms/courses/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])


@task()
def apply_bulk_enrollment(*, course_id: int, actor_id: int, text: str, language: str) -> dict:
    """Apply a previewed CSV file (``bulk.bulk_enrollment_apply``) away from the request.

    A file of thousands of rows takes longer than a web request may; a worker runs it and
    the admin shows the report (this task's result) when it is done. ``text`` is the file
    as it was previewed; ``language`` the instructor's, for the report's messages.
    """
    from django.contrib.auth import get_user_model

    from . import bulk
    from .models import CoursePage

    course = CoursePage.objects.get(pk=course_id)
    actor = get_user_model().objects.get(pk=actor_id)
    with translation.override(language):
        rows = bulk.csv_parse(text, require_cohort=course.cohorts.exists())
        return bulk.bulk_enrollment_apply(course=course, actor=actor, rows=rows).as_dict()

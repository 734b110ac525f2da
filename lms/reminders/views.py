"""The unsubscribe link of reminder e-mails, and the reminders switch of the profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lms.accounts.forms import ReminderPreferenceForm

from .services import user_reminder_emails_set
from .tokens import user_for_token


def _masked(email: str) -> str:
    """``h***@example.com``: enough for its owner to recognise, little for anyone else."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


# The signed token is the credential, not a session: mail programs send the one-click
# unsubscribe POST (RFC 8058) without cookies, so there is no CSRF token to check. All a
# forged request could do is turn one person's reminders off, and the token must be valid.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirm button (mail scanners follow links); POST turns reminders off."""
    user = user_for_token(token)
    if user is None:
        return render(request, "lms/reminders/unsubscribe_invalid.html", status=400)
    context = {"email": _masked(user.email), "token": token}
    if request.method == "POST":
        user_reminder_emails_set(user=user, enabled=False)
        return render(request, "lms/reminders/unsubscribe_done.html", context)
    return render(
        request,
        "lms/reminders/unsubscribe_confirm.html",
        {**context, "already_off": not user.reminder_emails},
    )


@login_required
@require_POST
def preferences(request):
    """The profile page's switch: reminders on or off for the signed-in user."""
    form = ReminderPreferenceForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["reminder_emails"]
        user_reminder_emails_set(user=request.user, enabled=enabled, actor=request.user)
        if enabled:
            messages.success(request, _("You will receive reminder e-mails."))
        else:
            messages.success(request, _("You will no longer receive reminder e-mails."))
    return redirect("accounts:profile")

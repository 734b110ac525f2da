"""The signed-in user's profile page (the rest of the account flows are allauth's)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import user_update_profile


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_update_profile(user=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "last_name": user.last_name,
                "first_name": user.first_name,
                "last_name_kana": user.last_name_kana,
                "first_name_kana": user.first_name_kana,
                "preferred_language": user.preferred_language,
            }
        )
    return render(request, "lms/accounts/profile.html", {"form": form})

"""allauth adapter: new accounts get their names and the Trainees role."""

from allauth.account.adapter import DefaultAccountAdapter

from . import roles
from .services import user_assign_role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.last_name = data.get("last_name", "").strip()
        user.first_name = data.get("first_name", "").strip()
        user.last_name_kana = data.get("last_name_kana", "").strip()
        user.first_name_kana = data.get("first_name_kana", "").strip()
        user.preferred_language = data.get("preferred_language") or user.preferred_language
        if commit:
            user.save()
            user_assign_role(user=user, role=roles.TRAINEES)
        return user

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        user = request.user
        if getattr(user, "preferred_language", "ja") == "en" and not url.startswith("/en/"):
            url = "/en" + url
        return url

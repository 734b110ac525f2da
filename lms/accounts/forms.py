"""Forms for sign-up (the profile part) and profile editing, rendered with crispy-bootstrap5."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import User


class NameFieldsMixin(forms.Form):
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name_kana = forms.CharField(
        label=_("Family name (kana)"),
        max_length=150,
        required=False,
        help_text=_("In hiragana or katakana, e.g. やまだ"),
        validators=User._meta.get_field("last_name_kana").validators,
    )
    first_name_kana = forms.CharField(
        label=_("Given name (kana)"),
        max_length=150,
        required=False,
        help_text=_("In hiragana or katakana, e.g. はなこ"),
        validators=User._meta.get_field("first_name_kana").validators,
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=User.Language.choices, initial=User.Language.JAPANESE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"


class SignupProfileForm(NameFieldsMixin):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone signing up on the English pages most likely wants English.
        language = (get_language() or "ja")[:2]
        if language in dict(User.Language.choices):
            self.fields["preferred_language"].initial = language

    def signup(self, request, user):
        # The adapter saves these fields; nothing more to do here.
        return user


class ProfileForm(NameFieldsMixin):
    """The trainee's own profile page."""


class ReminderPreferenceForm(forms.Form):
    """Reminder e-mails on or off, on the profile page (an unticked box turns them off)."""

    reminder_emails = forms.BooleanField(
        label=_("Send me reminder e-mails"),
        required=False,
        help_text=User._meta.get_field("reminder_emails").help_text,
    )

"""Forms of the courses admin: a decision on applications, and enrollment from a CSV file.

They parse input only; the rules are in ``bulk.py`` and ``services.py``.
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import bulk
from .models import CoursePage


class EnrollmentDecisionForm(forms.Form):
    """The optional message that goes with an approval or a rejection."""

    message = forms.CharField(
        label=_("Message to the trainee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. It is included in the e-mail the trainee receives."),
    )


class BulkEnrollmentUploadForm(forms.Form):
    """A course the instructor teaches, and the CSV file of people to enroll in it."""

    course = forms.ModelChoiceField(
        label=capfirst(CoursePage._meta.verbose_name), queryset=CoursePage.objects.none()
    )
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > bulk.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB). Split it into smaller files.")
                % {"size": bulk.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class BulkEnrollmentCommitForm(forms.Form):
    """Which previewed file to apply: a key to the copy kept in the session."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

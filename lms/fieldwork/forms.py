"""Forms of the fieldwork app. They parse input; the rules live in ``services.py``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ActivityCategory, FieldworkEntry


class EntryForm(forms.ModelForm):
    """The trainee's entry. Every field is optional here: a draft may be half written.

    Values that are there are checked as they are typed (the date, the hours); what a
    submission needs is checked by ``services.entry_submit``.
    """

    class Meta:
        model = FieldworkEntry
        fields = list(services.EDITABLE_FIELDS)
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours": forms.NumberInput(
                attrs={"step": "0.25", "min": "0.25", "max": "24", "inputmode": "decimal"}
            ),
            "activity": forms.Textarea(attrs={"rows": 4}),
            "learned": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "supervisor_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "hours": _("In steps of 15 minutes: 0.25 = 15 min, 1.5 = 1 h 30 min."),
            "site": _("For example: 〇〇町社会福祉協議会, 〇〇地区の空き家"),
            "supervisor_name": _(
                "Optional. The person at the host who can confirm your activity (受入先担当者). "
                "When you submit, they receive an e-mail with a link to confirm it."
            ),
        }

    def __init__(self, *args, enrollment, requirement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrollment = enrollment
        for field in self.fields.values():
            field.required = False
        categories = ActivityCategory.objects.all()
        if requirement is not None:
            allowed = [c.pk for c in requirement.categories.all()]
            if allowed:
                categories = categories.filter(pk__in=allowed)
        self.fields["category"].queryset = categories
        self.fields["category"].empty_label = _("Choose…")
        self.fields["prefecture"].choices = [
            ("", _("Choose…")),
            *self.fields["prefecture"].choices[1:],
        ]
        self.fields["date"].input_formats = ["%Y-%m-%d", "%Y/%m/%d"]
        if self.instance.hours is not None:
            # 2.5, not 2.50: as the trainee typed it.
            self.initial["hours"] = f"{self.instance.hours.normalize():f}"

    def clean_date(self):
        date = self.cleaned_data.get("date")
        if date is not None:
            services.date_check(date, enrollment=self.enrollment)
        return date

    def clean_hours(self):
        hours = self.cleaned_data.get("hours")
        if hours is not None:
            hours = services.hours_check(hours)
        return hours

    def valid_changes(self) -> dict:
        """The values that passed their checks (after ``is_valid()``); the others are kept
        as they were, so a draft saves what it can while the trainee fixes the rest."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and name not in self.errors
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF"),
        help_text=_("Photos (JPEG, PNG, HEIC) or PDF documents. Location data is removed."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/heic,image/heif,application/pdf"}
        ),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What are you correcting, and why?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupervisorForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("confirm", _("I confirm this activity took place as described")),
            ("dispute", _("Something is not right")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required if something is not right: what should be corrected?"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "dispute" and not (cleaned.get("comment") or "").strip():
            raise ValidationError(
                {"comment": _("Please write what is not right, so the trainee can correct it.")}
            )
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the trainee"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to return or reject. The trainee sees it and receives it by e-mail."),
    )

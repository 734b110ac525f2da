"""The gradebook's filters: cohort, standing, search and order, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import State

#: Longest search accepted; longer input is refused with a message, not cut silently.
SEARCH_MAX_LENGTH = 100


class GradebookFilterForm(forms.Form):
    """Validates the query string of the page and of its exports (the same filters)."""

    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("Standing"), required=False)
    q = forms.CharField(
        label=_("Name, reading (kana) or e-mail"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
    )
    sort = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cohorts = {cohort.pk: cohort for cohort in cohorts}
        self.fields["cohort"].choices = [("", _("All cohorts"))] + [
            (cohort.pk, cohort.name) for cohort in cohorts
        ]
        self.fields["state"].choices = [("", _("All trainees")), *State.choices]

    def filters(self) -> dict:
        """The valid filters; a field with bad input is left out (its error is shown)."""
        data = self.cleaned_data if self.is_bound else {}
        cohort_id = data.get("cohort")
        return {
            "cohort": self.cohorts.get(cohort_id) if cohort_id is not None else None,
            "state": data.get("state") or "",
            "search": data.get("q") or "",
            "sort": data.get("sort") or "",
        }

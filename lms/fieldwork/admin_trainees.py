"""One trainee in the fieldwork review listing: the trainee filter, the search, the totals.

An instructor checking one trainee's hours narrows the listing to them (``?trainee=<user
id>``, with ``&course=<course id>`` for one course) or searches by name, reading (kana in
hiragana or katakana, full- or half-width) or e-mail. Both start from the listing's own rows
(``selectors.entries_reviewable_by``): the filter offers only trainees whose entries the
instructor can already see, so its choices never name another course's trainees.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.forms.models import ModelChoiceIterator

from lms.courses.models import Enrollment
from lms.courses.selectors import enrollments_search

from . import selectors
from .models import FieldworkEntry, FieldworkRequirement

Status = FieldworkEntry.Status
ZERO = Decimal("0")


# --- The filter ---------------------------------------------------------------------------------
def trainees_listed_for(request):
    """The trainees with at least one entry in ``request.user``'s listing, by reading."""
    entries = selectors.entries_reviewable_by(request.user)
    return (
        get_user_model()
        .objects.filter(pk__in=entries.values("enrollment__user_id"))
        .only("pk", "email", "last_name", "first_name", "last_name_kana", "first_name_kana")
        .order_by()  # sorted by reading, both scripts alike, in ``TraineeChoiceIterator``
    )


def trainee_label(user) -> str:
    """「山田 花子（やまだ はなこ）」: the name, and the reading that tells namesakes apart."""
    name = user.get_full_name() or user.email
    kana = user.full_name_kana
    return f"{name}（{kana}）" if kana else name


def reading_key(user) -> tuple:
    """Sort key in 五十音 order whether a reading was typed in hiragana or katakana."""
    reading = unicodedata.normalize("NFKC", f"{user.last_name_kana} {user.first_name_kana}")
    hiragana = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in reading)
    return (not reading.strip(), hiragana.strip(), user.get_full_name(), user.pk)


class TraineeChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in sorted(self.queryset, key=reading_key):
            yield self.choice(user)


class TraineeChoiceField(forms.ModelChoiceField):
    iterator = TraineeChoiceIterator

    def label_from_instance(self, obj):
        return trainee_label(obj)


class TraineeFilter(django_filters.ModelChoiceFilter):
    field_class = TraineeChoiceField


# --- The search ---------------------------------------------------------------------------------
def entries_search(queryset, query: str):
    """Entries whose trainee matches every word of ``query`` (name, kana or e-mail).

    The words and kana are matched as the enrollment admin and the gradebook match them
    (``lms.courses.selectors.enrollments_search``): やまだ, ヤマダ and ﾔﾏﾀﾞ find one another.
    One subquery, no extra query.
    """
    if not query.strip():
        return queryset
    matching = enrollments_search(Enrollment.objects.all(), query)
    return queryset.filter(enrollment_id__in=matching.values("pk"))


# --- The totals ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TraineeHours:
    """One enrollment's hours, shown above the listing when one trainee is chosen."""

    enrollment: Enrollment
    approved: Decimal  # approved, in the categories the course counts
    pending: Decimal  # submitted and awaiting review, in any category
    required: Decimal | None

    @property
    def missing(self) -> Decimal | None:
        if self.required is None:
            return None
        return max(ZERO, self.required - self.approved)

    @property
    def met(self) -> bool:
        return self.required is not None and self.approved >= self.required


def _hours_sum(entries):
    return Coalesce(
        Subquery(entries.order_by().values("enrollment_id").annotate(t=Sum("hours")).values("t")),
        Value(ZERO),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )


def trainee_hours(request, *, trainee, course=None, cohort=None) -> list[TraineeHours]:
    """The chosen trainee's hours per enrollment that ``request.user``'s listing shows.

    One query whatever the number of entries: approved hours count as for the certificate
    (``selectors.approved_hours``: only the requirement's categories, when it names any).
    """
    visible = selectors.entries_reviewable_by(request.user)
    enrollments = Enrollment.objects.filter(
        user_id=trainee.pk, pk__in=visible.values("enrollment_id")
    )
    if course is not None:
        enrollments = enrollments.filter(course_id=course.pk)
    if cohort is not None:
        enrollments = enrollments.filter(cohort_id=cohort.pk)
    counted = FieldworkRequirement.categories.through.objects.filter(
        fieldworkrequirement__course_id=OuterRef(OuterRef("course_id"))
    ).values("activitycategory_id")
    entries = FieldworkEntry.objects.filter(enrollment_id=OuterRef("pk"))
    approved = entries.filter(Q(category_id__in=counted) | ~Exists(counted), status=Status.APPROVED)
    rows = (
        enrollments.select_related("course", "cohort")
        .annotate(
            fw_approved=_hours_sum(approved),
            fw_pending=_hours_sum(entries.filter(status=Status.SUBMITTED)),
            fw_required=Subquery(
                FieldworkRequirement.objects.filter(course_id=OuterRef("course_id")).values(
                    "required_hours"
                )[:1]
            ),
        )
        .order_by("course__path", "pk")
    )
    return [
        TraineeHours(
            enrollment=row,
            approved=row.fw_approved,
            pending=row.fw_pending,
            required=row.fw_required,
        )
        for row in rows
    ]

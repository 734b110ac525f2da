"""Fieldwork (フィールドワーク): what trainees did in the field, confirmed and reviewed.

A trainee logs an entry (date, hours, place, category, what was done, reflection) under
their enrollment; the host's supervisor (受入先担当者) confirms it through a one-time link;
an instructor of the course approves, returns or rejects it. Only approved hours count.

Two statuses are kept apart on purpose:

- ``status`` is the review by an instructor (draft → submitted → approved / returned /
  rejected);
- ``supervisor_status`` is the confirmation by the supervisor (none → pending →
  confirmed / disputed).

Every change of either is appended to ``FieldworkEvent`` (who, when, from, to, comment).
Entries point at the enrollment with ``on_delete=PROTECT``: records of the field are never
deleted with a course.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms.models import BilingualLabel
from lms.accounts.models import PrefectureField


class ActivityCategory(BilingualLabel):
    """A kind of field activity (住民ヒアリング, 空き家調査, ...), named in Japanese and English."""

    class Meta(BilingualLabel.Meta):
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")


class FieldworkRequirement(models.Model):
    """What a course asks of its trainees in the field: approved hours, categories, a deadline."""

    course = models.OneToOneField(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="fieldwork_requirement",
    )
    required_hours = models.DecimalField(
        _("required approved hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    categories = models.ManyToManyField(
        ActivityCategory,
        verbose_name=_("categories that count"),
        related_name="requirements",
        help_text=_("Only entries in these categories count toward the required hours."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    instructions = models.TextField(_("instructions for trainees"), blank=True)

    panels = [
        FieldPanel("course"),
        FieldPanel("required_hours"),
        FieldPanel("categories"),
        FieldPanel("deadline"),
        FieldPanel("instructions"),
    ]

    class Meta:
        verbose_name = _("fieldwork requirement")
        verbose_name_plural = _("fieldwork requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(required_hours__gt=0), name="fieldwork_requirement_hours_positive"
            )
        ]

    def __str__(self):
        return str(self.course)


class FieldworkEntry(models.Model):
    """One day's activity in the field by a trainee, with evidence and a reflection."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class SupervisorStatus(models.TextChoices):
        NONE = "none", _("Not requested")
        PENDING = "pending", _("Awaiting the supervisor")
        CONFIRMED = "confirmed", _("Confirmed by the supervisor")
        DISPUTED = "disputed", _("Disputed by the supervisor")

    #: Review statuses in which the trainee may edit the entry.
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        on_delete=models.PROTECT,
        related_name="fieldwork_entries",
    )
    date = models.DateField(_("date"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, null=True, blank=True)
    prefecture = PrefectureField(_("prefecture"), blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    site = models.CharField(_("host organisation or site"), max_length=200, blank=True)
    category = models.ForeignKey(
        ActivityCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    activity = models.TextField(_("what was done"), blank=True)
    learned = models.TextField(_("what I learned"), blank=True)
    next_steps = models.TextField(_("what I will do next"), blank=True)
    supervisor_name = models.CharField(_("supervisor's name"), max_length=100, blank=True)
    supervisor_email = models.EmailField(_("supervisor's e-mail"), blank=True)
    supervisor_role = models.CharField(_("supervisor's role"), max_length=100, blank=True)

    status = models.CharField(
        _("review status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    supervisor_status = models.CharField(
        _("supervisor confirmation"),
        max_length=20,
        choices=SupervisorStatus.choices,
        default=SupervisorStatus.NONE,
    )
    supervisor_comment = models.TextField(_("comment from the supervisor"), blank=True)
    review_comment = models.TextField(_("comment from the instructor"), blank=True)
    #: Bumped on every save by the trainee; an autosave from an older page is refused.
    version = models.PositiveIntegerField(default=1)
    corrections = models.PositiveSmallIntegerField(_("corrections"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fieldwork entry")
        verbose_name_plural = _("fieldwork entries")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gt=0) & Q(hours__lte=24)),
                name="fieldwork_entry_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "approved", "rejected"])
                | (Q(date__isnull=False) & Q(hours__isnull=False) & Q(category__isnull=False)),
                name="fieldwork_entry_submitted_is_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "date"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return f"{self.date or '-'} {self.site or self.municipality}".strip()

    @property
    def is_editable(self) -> bool:
        """The trainee may change it: a draft or returned entry not locked by a confirmation."""
        return (
            self.status in self.EDITABLE
            and self.supervisor_status != self.SupervisorStatus.CONFIRMED
        )

    @property
    def can_be_corrected(self) -> bool:
        """Confirmed and not yet decided: the trainee may reopen it with a correction."""
        return self.supervisor_status == self.SupervisorStatus.CONFIRMED and self.status in (
            self.Status.DRAFT,
            self.Status.SUBMITTED,
            self.Status.RETURNED,
        )


class FieldworkEvent(models.Model):
    """An append-only record of every status change of an entry: who, when, from, to, why.

    ``actor`` is the account that acted; a supervisor has none, so ``actor_label`` keeps
    their name (「受入先担当者 佐藤」).
    """

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        SUPERVISOR = "supervisor", _("Supervisor")
        CORRECTION = "correction", _("Correction")

    entry = models.ForeignKey(FieldworkEntry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fieldwork event")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind}: {self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Fieldwork events are append-only.")
        super().save(*args, **kwargs)


class SupervisorToken(models.Model):
    """A one-time link for the supervisor. Only the SHA-256 of the random token is stored."""

    entry = models.ForeignKey(
        FieldworkEntry, on_delete=models.CASCADE, related_name="supervisor_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    #: A newer link for the same entry replaces this one (a correction, a new address).
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supervisor link")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.entry_id} → {self.email}"


class FieldworkAttachment(models.Model):
    """A photo (re-encoded, without metadata) or PDF kept in private storage.

    ``file`` and ``thumbnail`` are names in ``storages["private"]`` made by the app, never
    the uploaded name; ``original_name`` is a cleaned display name only.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF document")

    entry = models.ForeignKey(FieldworkEntry, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.CharField(max_length=255, unique=True)
    thumbnail = models.CharField(max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="fieldwork_attachment_not_empty")
        ]

    def __str__(self):
        return self.original_name

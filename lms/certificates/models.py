"""Certificates of completion: the designs admins edit, the certificates issued, the serials.

One certificate per enrollment, with history (docs/decisions/0014-certificates.md): a
reissue makes a new ``Certificate`` row and marks the old one ``superseded`` (pointing to
the new one). A revoked certificate stays revoked for ever; an administrator may follow it
with a new certificate, which points back at it (``replaces``). The database allows only
one *live* row per enrollment (neither superseded nor revoked), and one new certificate per
revoked one. So an old verification code keeps working and says what became of it, and no
race can give an enrollment two valid certificates.

The *current* certificate of an enrollment (``Certificate.objects.current()``) is the one
that is not superseded and that no new certificate followed: the newest that is not
superseded.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from .dates import JAPANESE_ERA, WESTERN
from .rendering import CertificateDesign, unknown_placeholders

#: Bytes of randomness in a verification code: 24 bytes = 192 bits (at least 128 required),
#: 32 URL-safe characters.
CODE_BYTES = 24
SERIAL_PREFIX = "RPA"


def new_verification_code() -> str:
    """An unguessable code for the public verification page."""
    return secrets.token_urlsafe(CODE_BYTES)


def format_serial(year: int, sequence: int) -> str:
    """RPA-2026-000123."""
    return f"{SERIAL_PREFIX}-{year:04d}-{sequence:06d}"


class Language(models.TextChoices):
    JAPANESE = "ja", "日本語"
    ENGLISH = "en", "English"


class DateStyle(models.TextChoices):
    JAPANESE_ERA = JAPANESE_ERA, _("Japanese era (令和8年)")
    WESTERN = WESTERN, _("Western calendar (2026年)")


class CertificateTemplate(index.Indexed, models.Model):
    """A certificate design edited by admins in the Wagtail admin (a snippet).

    The default template of a language is used for every course that has no template of
    its own in that language; a template with a course is that course's design.
    """

    name = models.CharField(_("name"), max_length=100, help_text=_("For admins only."))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.JAPANESE
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty for a design used by every course without its own."),
    )
    is_default = models.BooleanField(
        _("default for its language"),
        default=False,
        help_text=_("Used for every course that has no design of its own in this language."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {name}, {course}, {date} and {hours}. "
            "Separate paragraphs with an empty line."
        ),
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=100)
    signatory_title = models.CharField(_("signatory's title"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=200)
    date_style = models.CharField(
        _("date style"), max_length=20, choices=DateStyle.choices, default=DateStyle.JAPANESE_ERA
    )
    seal_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("seal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logo_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("language"), FieldPanel("date_style")]),
                FieldPanel("is_default"),
                FieldPanel("course"),
            ],
            heading=_("Use"),
        ),
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("body")],
            heading=_("Wording"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("issuer"),
                FieldRowPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title")]),
                FieldRowPanel([FieldPanel("seal_image"), FieldPanel("logo_image")]),
            ],
            heading=_("Issuer and signatory"),
        ),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("title")]

    class Meta:
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")
        ordering = ["language", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_default=True),
                name="one_default_certificate_template_per_language",
            ),
            models.UniqueConstraint(
                fields=["course", "language"],
                condition=Q(course__isnull=False),
                name="one_certificate_template_per_course_language",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"

    def clean(self):
        super().clean()
        errors = {}
        for name in ("title", "body"):
            if unknown := unknown_placeholders(getattr(self, name) or ""):
                errors[name] = _(
                    "Unknown placeholders: %(list)s. Use only {name}, {course}, {date} and {hours}."
                ) % {"list": "、".join(unknown)}
        if self.is_default and self.course_id:
            errors["is_default"] = _("A design for one course cannot be the default design.")
        if self.is_default:
            others = CertificateTemplate.objects.filter(language=self.language, is_default=True)
            if self.pk:
                others = others.exclude(pk=self.pk)
            if others.exists():
                errors["is_default"] = _(
                    "There is already a default design in this language: "
                    "remove the default mark there first."
                )
        if errors:
            raise ValidationError(errors)

    def design(self) -> CertificateDesign:
        """What the renderer needs, with the images' bytes."""
        return CertificateDesign(
            language=self.language,
            title=self.title,
            body=self.body,
            signatory_name=self.signatory_name,
            signatory_title=self.signatory_title,
            issuer=self.issuer,
            date_style=self.date_style,
            seal_image=_image_bytes(self.seal_image),
            logo_image=_image_bytes(self.logo_image),
        )


def _image_bytes(image) -> bytes | None:
    if image is None:
        return None
    with image.open_file() as handle:
        return handle.read()


class SerialCounter(models.Model):
    """The last serial number used in a year; locked (``select_for_update``) to take one."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("serial counter")

    def __str__(self):
        return f"{self.year}: {self.last}"


class CertificateQuerySet(models.QuerySet):
    def current(self):
        """The current certificate of each enrollment: not superseded by a reissue, and not
        a revoked certificate that a new one followed (at most one row per enrollment)."""
        return self.exclude(status=Certificate.Status.SUPERSEDED).filter(replaced_by__isnull=True)


class Certificate(models.Model):
    """A certificate of completion for one enrollment, with a snapshot of what it certifies.

    The snapshot (name and kana as registered, course title, completion date, hours) is
    taken when the certificate is issued and never follows later changes to the user or
    the course. ``pdf_file`` is a name in ``storages["private"]``, set only once the file
    is written.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        ISSUED = "issued", _("Valid")
        FAILED = "failed", _("Could not be made")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a newer certificate")

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    serial = models.CharField(_("serial number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    code = models.CharField(
        _("verification code"), max_length=64, unique=True, default=new_verification_code
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    missing_characters = models.JSONField(_("missing characters"), default=list, blank=True)

    # The snapshot.
    name = models.CharField(_("trainee's name"), max_length=310)
    name_kana = models.CharField(_("trainee's name (kana)"), max_length=310, blank=True)
    course_title = models.CharField(_("course title"), max_length=255)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    template = models.ForeignKey(
        CertificateTemplate,
        verbose_name=_("design"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )

    pdf_file = models.CharField(_("PDF file"), max_length=255, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when issued automatically."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    reissue_reason = models.TextField(_("reason for reissue"), blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("issued after the revocation of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("The revoked certificate of the same enrollment that this one follows."),
    )
    replacement_reason = models.TextField(_("reason for the new certificate"), blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=~Q(status__in=["superseded", "revoked"]),
                name="one_live_certificate_per_enrollment",
            ),
            models.UniqueConstraint(fields=["year", "sequence"], name="certificate_serial_seq"),
            models.CheckConstraint(
                condition=~Q(status="issued") | ~Q(pdf_file=""),
                name="issued_certificate_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.serial} {self.name}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def filename(self) -> str:
        return f"{self.serial}.pdf"

"""The academy's user: logs in by e-mail, named family-name first, with a kana reading.

Django's ``last_name`` and ``first_name`` hold the family name (姓) and given name (名) so
that Wagtail's user admin and django-allauth work unchanged; see
docs/decisions/0003-user-model.md.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Hiragana, katakana (full-width), the prolonged sound mark, middle dot and spaces.
kana_validator = RegexValidator(
    regex=r"^[\u3041-\u309F\u30A0-\u30FF\u3000\s]*$",
    message=_("Please enter the reading in hiragana or katakana."),
)


class EmailUserManager(UserManager):
    """A manager whose ``create_user`` takes an e-mail address instead of a username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who uses the academy: trainee, instructor, partner staff or administrator."""

    class Language(models.TextChoices):
        JAPANESE = "ja", "日本語"
        ENGLISH = "en", "English"

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    last_name = models.CharField(_("family name"), max_length=150)
    first_name = models.CharField(_("given name"), max_length=150)
    last_name_kana = models.CharField(
        _("family name (kana)"), max_length=150, blank=True, validators=[kana_validator]
    )
    first_name_kana = models.CharField(
        _("given name (kana)"), max_length=150, blank=True, validators=[kana_validator]
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=Language.choices,
        default=Language.JAPANESE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "first_name"]

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name_kana", "first_name_kana", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self, language=None):
        """The name in the order its reader expects.

        Japanese: family name first, separated by a space (山田 花子). English: given name
        first (Hanako Yamada).
        """
        language = language or get_language() or "ja"
        parts = [self.last_name, self.first_name]
        if language.startswith("en"):
            parts.reverse()
        return " ".join(p for p in parts if p).strip()

    def get_short_name(self):
        return self.last_name or self.email

    @property
    def full_name_kana(self):
        return " ".join(p for p in [self.last_name_kana, self.first_name_kana] if p)

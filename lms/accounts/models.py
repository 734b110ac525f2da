"""The academy's user (logs in by e-mail, named family-name first, with a kana reading),
the prefectures, and the partner organisations (賛同事業者) users can belong to.

Django's ``last_name`` and ``first_name`` hold the family name (姓) and given name (名) so
that Wagtail's user admin and django-allauth work unchanged; see
docs/decisions/0003-user-model.md.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import lazy
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
    reminder_emails = models.BooleanField(
        _("reminder e-mails"),
        default=True,
        help_text=_(
            "Send me e-mail reminders when I have not studied for a while and before a "
            "cohort's deadline."
        ),
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


# --- Prefectures --------------------------------------------------------------------------
# The 47 prefectures in the order of the national code (JIS X 0401): north to south, the order
# every Japanese form uses. Values are short romanised slugs, readable in URLs (?prefecture=
# tokyo). The names are data, like a theme's names: shown in Japanese, or in English when the
# page is in English.
PREFECTURES = [
    ("hokkaido", "北海道", "Hokkaido"),
    ("aomori", "青森県", "Aomori"),
    ("iwate", "岩手県", "Iwate"),
    ("miyagi", "宮城県", "Miyagi"),
    ("akita", "秋田県", "Akita"),
    ("yamagata", "山形県", "Yamagata"),
    ("fukushima", "福島県", "Fukushima"),
    ("ibaraki", "茨城県", "Ibaraki"),
    ("tochigi", "栃木県", "Tochigi"),
    ("gunma", "群馬県", "Gunma"),
    ("saitama", "埼玉県", "Saitama"),
    ("chiba", "千葉県", "Chiba"),
    ("tokyo", "東京都", "Tokyo"),
    ("kanagawa", "神奈川県", "Kanagawa"),
    ("niigata", "新潟県", "Niigata"),
    ("toyama", "富山県", "Toyama"),
    ("ishikawa", "石川県", "Ishikawa"),
    ("fukui", "福井県", "Fukui"),
    ("yamanashi", "山梨県", "Yamanashi"),
    ("nagano", "長野県", "Nagano"),
    ("gifu", "岐阜県", "Gifu"),
    ("shizuoka", "静岡県", "Shizuoka"),
    ("aichi", "愛知県", "Aichi"),
    ("mie", "三重県", "Mie"),
    ("shiga", "滋賀県", "Shiga"),
    ("kyoto", "京都府", "Kyoto"),
    ("osaka", "大阪府", "Osaka"),
    ("hyogo", "兵庫県", "Hyogo"),
    ("nara", "奈良県", "Nara"),
    ("wakayama", "和歌山県", "Wakayama"),
    ("tottori", "鳥取県", "Tottori"),
    ("shimane", "島根県", "Shimane"),
    ("okayama", "岡山県", "Okayama"),
    ("hiroshima", "広島県", "Hiroshima"),
    ("yamaguchi", "山口県", "Yamaguchi"),
    ("tokushima", "徳島県", "Tokushima"),
    ("kagawa", "香川県", "Kagawa"),
    ("ehime", "愛媛県", "Ehime"),
    ("kochi", "高知県", "Kochi"),
    ("fukuoka", "福岡県", "Fukuoka"),
    ("saga", "佐賀県", "Saga"),
    ("nagasaki", "長崎県", "Nagasaki"),
    ("kumamoto", "熊本県", "Kumamoto"),
    ("oita", "大分県", "Oita"),
    ("miyazaki", "宮崎県", "Miyazaki"),
    ("kagoshima", "鹿児島県", "Kagoshima"),
    ("okinawa", "沖縄県", "Okinawa"),
]
PREFECTURE_ORDER = {code: n for n, (code, _ja, _en) in enumerate(PREFECTURES)}


def _prefecture_name(japanese: str, english: str) -> str:
    return english if (get_language() or "ja").startswith("en") else japanese


prefecture_name = lazy(_prefecture_name, str)

#: Choices whose labels follow the active language when they are displayed.
PREFECTURE_CHOICES = [(code, prefecture_name(ja, en)) for code, ja, en in PREFECTURES]


class PrefectureField(models.CharField):
    """One of the 47 prefectures, stored as its slug (``tokyo``), shown in the reader's language.

    The choices are fixed by the field itself and left out of migrations, so the names are
    never frozen in a migration file in whichever language was active when it was made.
    """

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 16
        kwargs["choices"] = PREFECTURE_CHOICES
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        kwargs.pop("max_length", None)
        return name, path, args, kwargs


# --- Partner organisations -----------------------------------------------------------------
class PartnerOrganisation(models.Model):
    """A partner business (賛同事業者) that supports the association's 100-year community plan.

    Its members read the partner-only part of the method library while the organisation is
    active; deactivating it takes that access away from all of them at once. (The Partners
    group still works as a role on its own, for people who are not in an organisation.)
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_kana = models.CharField(
        _("name (kana)"), max_length=200, blank=True, validators=[kana_validator]
    )
    prefecture = PrefectureField(_("prefecture"), blank=True)
    website = models.URLField(_("website"), blank=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Members of an active organisation can read the partners' library."),
    )
    members = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("members"),
        blank=True,
        related_name="partner_organisations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name_kana", "name"]

    def __str__(self):
        return self.name

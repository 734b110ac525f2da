"""Privacy (個人情報の保護): erasures kept for accountability, and where the policy page is.

An ``ErasureRecord`` says that an account was erased, when, by whom and why, and what was
done; it holds no personal data of the person erased (the account row it points at has
been anonymised). ``PrivacySettings`` names the page that holds the privacy policy, so the
footer link (``/privacy/policy/``) always leads to it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class ErasureRecord(models.Model):
    """An erasure of a person's account: who erased it, when, why, and how much was done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(
        _("reason"),
        help_text=_("Why the account is erased, e.g. the request's reference. No names here."),
    )
    created_at = models.DateTimeField(_("erased at"), default=timezone.now)
    #: How many rows of each kind were anonymised or deleted (counts only).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    #: Names of files in storage still to delete (random names, no personal data); emptied
    #: once the files are gone. A second erasure of the same account tries again.
    pending_files = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user"], name="one_erasure_per_account")]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d}"


@register_setting(icon="lock")
class PrivacySettings(BaseGenericSetting):
    """Which page is the privacy policy (linked from every page's footer)."""

    policy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy policy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The footer's privacy policy link leads here, in the reader's language."),
    )

    panels = [FieldPanel("policy_page")]

    class Meta:
        verbose_name = _("privacy settings")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(sender, using="default", **kwargs):
    """Keep the role groups present after every migrate (and test-database flush)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for label in ("wagtailadmin", "wagtailimages", "wagtaildocs"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)

    from .services import roles_ensure

    roles_ensure()

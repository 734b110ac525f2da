from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_roles, sender=self)

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_remember_editor, dispatch_uid="accounts-remember-editor")


def _remember_editor(sender, request, user, **kwargs):
    """Remember in the session whether this user may open the Wagtail admin.

    Public pages show Wagtail's editor toolbar only to editors; reading the flag from the
    session saves two permission queries on every page a trainee views.
    """
    if request is not None and hasattr(request, "session"):
        request.session["can_edit_pages"] = user.has_perm("wagtailadmin.access_admin")


def _ensure_roles(sender, using="default", **kwargs):
    """Keep the role groups present after every migrate (and test-database flush)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for label in ("wagtailadmin", "wagtailimages", "wagtaildocs"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)

    from .services import roles_ensure

    roles_ensure()

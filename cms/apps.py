from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import search, signals

        signals.connect()
        search.register()
        post_migrate.connect(_ensure_instructor_collections, sender=self)


def _ensure_instructor_collections(sender, **kwargs):
    """Instructors upload images and documents: Wagtail checks that per collection.

    Runs after every migrate (the accounts app has created the role groups by then).
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group
    from wagtail.models import Collection

    from lms.accounts import roles

    from .services import instructor_collection_permissions_ensure

    for label in ("wagtailimages", "wagtaildocs"):
        create_permissions(
            apps.get_app_config(label), verbosity=0, using=kwargs.get("using", "default")
        )
    group = Group.objects.filter(name=roles.INSTRUCTORS).first()
    if group is not None and Collection.get_first_root_node() is not None:
        instructor_collection_permissions_ensure(group=group)

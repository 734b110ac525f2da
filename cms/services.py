"""Writes on the site tree and the method library: page permissions, saved items."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Page

from .visibility import can_save, can_view

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


@transaction.atomic
def instructor_page_permissions_ensure(*, group: Group, page: Page) -> None:
    """Let ``group`` add, edit and publish ``page`` and everything below it (idempotent)."""
    from django.contrib.auth.models import Permission

    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


COLLECTION_PERMISSIONS = {
    "wagtaildocs": ("add_document", "change_document", "choose_document"),
    "wagtailimages": ("add_image", "change_image", "choose_image"),
}


@transaction.atomic
def instructor_collection_permissions_ensure(*, group: Group) -> None:
    """Let ``group`` upload, edit and choose documents and images in every collection.

    Wagtail checks documents and images per collection (GroupCollectionPermission), not by
    the group's global permissions, so without this an instructor cannot upload the
    library's documents (idempotent).
    """
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    for app_label, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )


def saved_item_add(*, user, page):
    """Save a method or case study to ``user``'s list (idempotent: saving twice keeps one).

    Only partners and trainees (and the staff who look after the library) have a list, and
    only pages they may read can go in it.
    """
    from .models import SavedItem

    if not can_save(user):
        raise PermissionDenied(_("Saving to a list is for partners and trainees."))
    if not page.live or not can_view(user, page.visibility):
        raise PermissionDenied(_("You cannot save a page you cannot read."))
    try:
        with transaction.atomic():
            item, _created = SavedItem.objects.get_or_create(user=user, page=page)
    except IntegrityError:
        # Two requests saved the same page at once: the other one's row is the row.
        item = SavedItem.objects.get(user=user, page=page)
    return item


@transaction.atomic
def saved_item_remove(*, user, page) -> bool:
    """Take ``page`` off ``user``'s list; only ever their own. True if something was removed."""
    from .models import SavedItem

    deleted, _details = SavedItem.objects.filter(user=user, page=page).delete()
    return bool(deleted)

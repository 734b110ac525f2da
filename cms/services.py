"""Writes on the site tree: who may edit which part of it."""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

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

"""Keep cached navigation honest: any change to the page tree bumps a version number."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

TREE_VERSION_KEY = "cms:tree-version"


def tree_version() -> int:
    version = cache.get(TREE_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(TREE_VERSION_KEY, version, timeout=None)
    return version


def bump_tree_version(**kwargs):
    try:
        cache.incr(TREE_VERSION_KEY)
    except ValueError:
        cache.set(TREE_VERSION_KEY, 2, timeout=None)


def connect():
    from wagtail.models import Page, Site

    page_published.connect(bump_tree_version, dispatch_uid="cms-tree-published")
    page_unpublished.connect(bump_tree_version, dispatch_uid="cms-tree-unpublished")
    post_page_move.connect(bump_tree_version, dispatch_uid="cms-tree-moved")
    post_delete.connect(bump_tree_version, sender=Page, dispatch_uid="cms-tree-deleted")
    post_save.connect(bump_tree_version, sender=Site, dispatch_uid="cms-site-saved")

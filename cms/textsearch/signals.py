"""Keep the index current from model and Wagtail page signals.

A failure to index is logged (logger ``cms.textsearch``) and never breaks the save or
publish that triggered it: the work runs in its own savepoint, so even a database error
leaves the caller's transaction usable.
"""

from __future__ import annotations

import logging

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger("cms.textsearch")


def safe_index(obj) -> None:
    """``index_object`` that logs instead of raising."""
    from .services import index_object

    try:
        with transaction.atomic():
            index_object(obj)
    except Exception:
        logger.exception("textsearch: could not index %s %s", type(obj).__name__, obj.pk)


def safe_unindex(obj) -> None:
    """``unindex_object`` that logs instead of raising."""
    from .services import unindex_object

    try:
        with transaction.atomic():
            unindex_object(obj)
    except Exception:
        logger.exception("textsearch: could not unindex %s %s", type(obj).__name__, obj.pk)


def _on_index(sender, instance, **kwargs):
    if kwargs.get("raw"):  # loaddata
        return
    safe_index(instance)


def _on_unindex(sender, instance, **kwargs):
    safe_unindex(instance)


def _uid(model: type[models.Model], signal: str) -> str:
    return f"textsearch:{model._meta.label}:{signal}"


def connect_page_signals(model: type[models.Model]) -> None:
    """For a Wagtail page class: index on ``page_published``, unindex on
    ``page_unpublished`` and ``post_delete``. (Drafts are never indexed: saving a draft
    sends none of these.)"""
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(_on_index, sender=model, dispatch_uid=_uid(model, "published"))
    page_unpublished.connect(_on_unindex, sender=model, dispatch_uid=_uid(model, "unpublished"))
    post_delete.connect(_on_unindex, sender=model, dispatch_uid=_uid(model, "deleted"))


def connect_model_signals(model: type[models.Model]) -> None:
    """For a plain model: index on ``post_save``, unindex on ``post_delete``."""
    post_save.connect(_on_index, sender=model, dispatch_uid=_uid(model, "saved"))
    post_delete.connect(_on_unindex, sender=model, dispatch_uid=_uid(model, "deleted"))


def disconnect_signals(model: type[models.Model]) -> None:
    """Undo ``connect_page_signals`` / ``connect_model_signals`` for ``model``."""
    from wagtail.signals import page_published, page_unpublished

    page_published.disconnect(sender=model, dispatch_uid=_uid(model, "published"))
    page_unpublished.disconnect(sender=model, dispatch_uid=_uid(model, "unpublished"))
    post_save.disconnect(sender=model, dispatch_uid=_uid(model, "saved"))
    post_delete.disconnect(sender=model, dispatch_uid=_uid(model, "deleted"))

"""Writes to the search index: index, unindex, reindex everything."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from .models import IndexEntry, IndexFilter, IndexGram
from .normalize import bigrams, normalize
from .registry import Registration, registered_models, registration_for

logger = logging.getLogger(__name__)

GRAM_BATCH = 2000


def _filter_rows(raw: dict) -> set[tuple[str, str]]:
    """Registered filters as (key, value) pairs; list/tuple/set values give several pairs."""
    rows: set[tuple[str, str]] = set()
    for key, value in (raw or {}).items():
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in values:
            if item is None or item == "":
                continue
            text = filter_value(item)
            if len(str(key)) > 64 or len(text) > 200:
                raise ValueError(f"filter {key!r}={text[:40]!r}…: keys ≤ 64, values ≤ 200 chars")
            rows.add((str(key), text))
    return rows


def filter_value(value) -> str:
    """How a filter value is stored and compared: booleans as true/false, the rest as str."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _content_type(registration: Registration) -> ContentType:
    return ContentType.objects.get_for_model(registration.model)


def index_object(obj: Model) -> IndexEntry | None:
    """Index ``obj`` (or drop it from the index if its registration says it is not live).

    Idempotent and atomic. Returns the entry, or None when ``obj`` is not indexed. The
    bigram rows are rewritten only when the normalised title or body changed.
    """
    registration = registration_for(obj)
    if registration is None:
        logger.debug("textsearch: %r is not registered; not indexed", obj)
        return None
    if obj.pk is None or not registration.live(obj):
        unindex_object(obj)
        return None

    title = str(registration.title(obj) or "")
    body = str(registration.body(obj) or "")
    language = str(registration.language(obj) or "")
    visibility = str(registration.visibility(obj) or "")
    if len(language) > 16 or len(visibility) > 32:
        raise ValueError(f"{obj!r}: language ≤ 16 and visibility ≤ 32 characters")
    filter_rows = _filter_rows(registration.filters(obj))
    values = {
        "title": title,
        "body": body,
        "title_norm": normalize(title),
        "body_norm": normalize(body),
        "language": language,
        "visibility": visibility,
    }

    with transaction.atomic():
        entry, created = IndexEntry.objects.select_for_update().get_or_create(
            content_type=_content_type(registration),
            object_id=str(obj.pk),
            defaults=values,
        )
        text_changed = created
        if not created:
            text_changed = (entry.title_norm, entry.body_norm) != (
                values["title_norm"],
                values["body_norm"],
            )
            for name, value in values.items():
                setattr(entry, name, value)
            entry.save()
        if text_changed:
            _write_grams(entry)
        _write_filters(entry, filter_rows, created=created)
    return entry


def _write_grams(entry: IndexEntry) -> None:
    IndexGram.objects.filter(entry=entry).delete()
    rows = [
        IndexGram(entry=entry, field=IndexGram.Field.TITLE, gram=gram)
        for gram in sorted(bigrams(entry.title_norm))
    ] + [
        IndexGram(entry=entry, field=IndexGram.Field.BODY, gram=gram)
        for gram in sorted(bigrams(entry.body_norm))
    ]
    IndexGram.objects.bulk_create(rows, batch_size=GRAM_BATCH)


def _write_filters(entry: IndexEntry, rows: set[tuple[str, str]], *, created: bool) -> None:
    if not created:
        current = set(IndexFilter.objects.filter(entry=entry).values_list("key", "value"))
        if current == rows:
            return
        IndexFilter.objects.filter(entry=entry).delete()
    IndexFilter.objects.bulk_create(
        [IndexFilter(entry=entry, key=key, value=value) for key, value in sorted(rows)]
    )


def unindex_object(obj: Model) -> int:
    """Remove ``obj`` from the index (idempotent). Returns how many entries went (0 or 1)."""
    registration = registration_for(obj)
    if registration is not None:
        content_type = _content_type(registration)
    else:
        content_type = ContentType.objects.get_for_model(obj)
    if obj.pk is None:
        return 0
    with transaction.atomic():
        deleted, by_model = IndexEntry.objects.filter(
            content_type=content_type, object_id=str(obj.pk)
        ).delete()
    return by_model.get(IndexEntry._meta.label, 0)


def reindex_all(models: Iterable[type[Model]] | None = None) -> dict[str, dict]:
    """Index every object of the given registered models (all of them by default) and
    remove entries whose object is gone or no longer live. With ``models=None`` entries of
    models that are no longer registered are purged too.

    Returns ``{"app_label.Model": {"indexed": n, "removed": m}}`` (plus
    ``"unregistered": {"removed": k}`` for the purge).
    """
    targets = list(models) if models is not None else registered_models()
    report: dict[str, dict] = {}
    for model in targets:
        registration = registration_for(model)
        if registration is None or registration.model is not model:
            raise ValueError(f"{model.__name__} is not registered with textsearch")
        indexed: set[str] = set()
        for obj in registration.get_queryset().iterator(chunk_size=200):
            if index_object(obj) is not None:
                indexed.add(str(obj.pk))
        content_type = _content_type(registration)
        existing = set(
            IndexEntry.objects.filter(content_type=content_type).values_list("object_id", flat=True)
        )
        stale = sorted(existing - indexed)
        for start in range(0, len(stale), 500):
            IndexEntry.objects.filter(
                content_type=content_type, object_id__in=stale[start : start + 500]
            ).delete()
        report[model._meta.label] = {"indexed": len(indexed), "removed": len(stale)}
    if models is None:
        known = ContentType.objects.get_for_models(*targets).values() if targets else []
        deleted, by_model = IndexEntry.objects.exclude(
            content_type__in=[ct.pk for ct in known]
        ).delete()
        report["unregistered"] = {"removed": by_model.get(IndexEntry._meta.label, 0)}
    return report
